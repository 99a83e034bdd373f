// validate.js - validate JSON files against the schemas in this folder with ajv:
//   NODE_PATH=<setup.sh dir>/node_modules node validate.js SCHEMA_ID FILE...
// Every *.schema.json here is loaded, so schemas may $ref one another.
'use strict';
const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
for (const f of fs.readdirSync(__dirname).filter((n) => n.endsWith('.schema.json')).sort())
	ajv.addSchema(JSON.parse(fs.readFileSync(path.join(__dirname, f), 'utf8')));

const [id, ...files] = process.argv.slice(2);
const validate = ajv.getSchema(id);
if (!validate) {
	console.error(`validate.js: no schema with $id ${id}`);
	process.exit(2);
}
let bad = 0;
for (const f of files) {
	const doc = JSON.parse(fs.readFileSync(f, 'utf8'));
	if (validate(doc)) continue;
	bad++;
	for (const e of validate.errors) console.error(`${f}: ${e.instancePath || '/'} ${e.message}`);
}
process.exit(bad ? 1 : 0);
