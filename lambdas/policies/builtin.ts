import hardText from "./builtin-hard.cedar";
import softText from "./builtin-soft.cedar";

/** The schema of what rules see, shared by the engine's validation, the docs and custom policies. */
export { default as GATES_CEDAR_SCHEMA } from "./gates.cedarschema";

/** The built-in rule files, in the order their rules are listed and matched. */
export const BUILTIN_POLICY_TEXTS: readonly string[] = [hardText, softText];
