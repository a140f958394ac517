// Parses Mermaid diagrams with the real mermaid package and prints what its parser understood.
// Runs as its own Node process: mermaid is ESM-only and needs a DOM (jsdom) for its sanitizer,
// neither of which the CommonJS jest environment provides.
// stdin: JSON array of diagram texts. stdout: JSON array of { ok, error?, vertices?, edges?, subgraphs? }.
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const { window } = new JSDOM('');
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import('mermaid');

// Mermaid keeps entity codes as placeholders until it renders; show them as the HTML entities they become.
const decode = (text) => String(text ?? '').replace(/ﬂ°°/g, '&#').replace(/ﬂ°/g, '&').replace(/¶ß/g, ';');

async function parseOne(text) {
  try {
    await mermaid.parse(text);
    const { db } = await mermaid.mermaidAPI.getDiagramFromText(text);
    return {
      ok: true,
      vertices: [...db.getVertices().values()].map((v) => ({ id: v.id, text: decode(v.text) })),
      edges: db.getEdges().map((e) => ({ start: e.start, end: e.end, text: decode(e.text), stroke: e.stroke })),
      subgraphs: db.getSubGraphs().map((s) => ({ id: s.id, title: decode(s.title), nodes: s.nodes })),
    };
  } catch (e) {
    return { ok: false, error: String(e?.message ?? e).split('\n').slice(0, 4).join('\n') };
  }
}

const texts = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for (const text of texts) results.push(await parseOne(text));
process.stdout.write(JSON.stringify(results));
