/** Who is calling: taken only from the API Gateway request context, never from the body. */
export type Principal =
  | { readonly kind: "agent"; readonly id: string }
  | { readonly kind: "human"; readonly id: string; readonly admin: boolean };

export const ADMIN_GROUP = "gates-admins";
