/**
 * SQL as the drop rule reads it: comments removed (but MySQL's executable `/*! … *\/` kept),
 * every run of whitespace one space, lower-case. `DROP/**\/TABLE`, `drop\n\ttable` and
 * `DROP -- x\nTABLE` all read `drop table`.
 */
export function normalizeSql(text: string): string {
  return text
    .replace(/\/\*!\d*/g, " ")
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/--[^\n]*/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();
}
