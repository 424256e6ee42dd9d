import hardText from "./builtin-hard.cedar";
import softText from "./builtin-soft.cedar";

/** The built-in rule files, in the order their rules are listed and matched. */
export const BUILTIN_POLICY_TEXTS: readonly string[] = [hardText, softText];
