/** Cedar policy and schema files are imported as text: esbuild's text loader in bundles, a require hook in Node. */
declare module "*.cedar" {
  const text: string;
  export default text;
}

declare module "*.cedarschema" {
  const text: string;
  export default text;
}
