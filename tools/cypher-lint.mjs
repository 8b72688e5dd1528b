// Lint Cypher with Neo4j's own linter (@neo4j-cypher/language-support).
// Reads JSON from stdin: {"labels": [...], "relationshipTypes": [...], "propertyKeys": [...],
// "queries": [{"name": "...", "text": "..."}]} and writes one JSON object per query:
// {"name": ..., "diagnostics": [{"severity": 1|2, "message": ..., "line": n, "column": n}]}.
// The schema is the linter's test schema (its Neo4j functions and procedures) with the
// ontology's labels, relationship types and property keys in place of its own.
import { lintCypherQuery, testData } from '@neo4j-cypher/language-support';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const request = JSON.parse(input);
const schema = {
  ...testData.mockSchema,
  labels: request.labels,
  relationshipTypes: request.relationshipTypes,
  propertyKeys: request.propertyKeys,
};
const results = request.queries.map(({ name, text }) => {
  const { diagnostics } = lintCypherQuery(text, schema);
  return {
    name,
    diagnostics: diagnostics.map((d) => ({
      severity: d.severity,
      message: d.message,
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
    })),
  };
});
process.stdout.write(JSON.stringify(results));
