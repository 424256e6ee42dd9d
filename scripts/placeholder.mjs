// Stands in for a script verb whose capability has not landed yet, and says so.
const verb = process.argv[2] ?? "this command";
console.error(`npm run ${verb} is not available yet: the capability it runs has not landed. See README.md.`);
process.exit(1);
