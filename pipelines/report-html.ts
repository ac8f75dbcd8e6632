/**
 * `report.html`: one self-contained file per run (no network, inline CSS and SVG, the same bytes
 * for the same run). Everything reads without JavaScript; the one small script only sorts tables
 * and filters passages.
 */
import { applyEdits } from '../maskers/edits.js';
import { workFieldSentence } from './work-field-hint.js';
import { contextSentence, percent, type CollateralReport, type RunSummaryForReport } from './leakage-report.js';
import type { ReportData, SampledDocument } from './report-data.js';
import type { ResidualPassage, VerificationReport } from './verify.js';
import type { AuditReport } from './audit.js';
import type { Manifest } from '../corpora/manifest.js';

export interface RunIdentity {
  command: string;
  tool: string;
  inputs: { label: string; sha256: string; bytes: number }[];
  pack: { id: string; version: string; sha256: string };
  passageModel?: { sha256: string } | null;
  embeddingModel?: string | null;
  waiver?: { path: string; sha256: string } | null;
}

/** The identity of a finished run, as its manifest records it. */
export function identityFromManifest(manifest: Manifest, command: string, waiver?: { path: string; sha256: string } | null): RunIdentity {
  return {
    command,
    tool: `${manifest.tool.name} ${manifest.tool.version}`,
    inputs: manifest.inputs.map((input) => ({ label: input.label, sha256: input.sha256, bytes: input.bytes })),
    pack: { id: manifest.pack.id, version: manifest.pack.version, sha256: manifest.pack.sha256 },
    passageModel: manifest.pack.passageModel ? { sha256: manifest.pack.passageModel.sha256 } : null,
    embeddingModel: manifest.embeddingModel,
    waiver: waiver ?? null,
  };
}

/** What a manifest says of collateral damage (counts only: the passages are in the run's report.json). */
export function collateralFromManifest(manifest: Manifest): CollateralReport | undefined {
  const c = manifest.collateral;
  if (!c) return undefined;
  return { inputChars: c.inputChars, singleParagraphChars: c.singleParagraphChars ?? 0, shortDocumentChars: c.shortDocumentChars ?? 0, removedChars: c.removedChars, removedShare: c.removedShare, destroyed: Object.fromEntries(Object.entries(c.destroyed).map(([what, count]) => [what, { kind: what.startsWith('control') ? ('control' as const) : ('keep' as const), count, passages: [] }])) };
}

export interface HtmlReportInput {
  identity: RunIdentity;
  summary: RunSummaryForReport;
  verification: VerificationReport;
  collateral?: CollateralReport;
  data?: ReportData;
}

const MAX_INPUT_ROWS = 50;

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}

function number(value: number): string {
  return value.toLocaleString('en-US');
}

/** A bar chart of counts as inline SVG, with its numbers in a table-free caption for readers without images. */
function histogram(title: string, counts: readonly number[], labels: readonly string[]): string {
  const width = 420;
  const height = 140;
  const max = Math.max(1, ...counts);
  const bar = (width - 40) / counts.length;
  const bars = counts
    .map((count, at) => {
      const h = Math.round(((height - 40) * count) / max);
      const x = 30 + at * bar;
      return `<rect x="${x.toFixed(1)}" y="${height - 25 - h}" width="${(bar - 4).toFixed(1)}" height="${h}" class="bar"><title>${escape(labels[at])}: ${count}</title></rect><text x="${(x + bar / 2 - 2).toFixed(1)}" y="${height - 28 - h}" class="count">${count}</text><text x="${(x + bar / 2 - 2).toFixed(1)}" y="${height - 10}" class="axis">${escape(labels[at])}</text>`;
    })
    .join('');
  return `<figure><svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escape(title)}">${bars}<line x1="28" y1="${height - 25}" x2="${width - 8}" y2="${height - 25}" class="base"/></svg><figcaption>${escape(title)}</figcaption></figure>`;
}

const TENTHS = Array.from({ length: 10 }, (_, at) => `${at * 10}${at === 9 ? '–100' : ''}%`);
const SCORE_BINS = Array.from({ length: 10 }, (_, at) => (at / 10).toFixed(1));

function table(headers: string[], rows: string[][], options: { sortable?: boolean; numeric?: boolean[] } = {}): string {
  const head = headers.map((header, at) => `<th${options.numeric?.[at] ? ' class="num"' : ''}>${escape(header)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((cell, at) => `<td${options.numeric?.[at] ? ' class="num"' : ''}>${cell}</td>`).join('')}</tr>`).join('\n');
  return `<table${options.sortable ? ' class="sortable"' : ''}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function passageItem(passage: ResidualPassage): string {
  const marked = escape(passage.context).replace('⟦', '<mark>').replace('⟧', '</mark>');
  const collateral = passage.detector === 'keep' || passage.detector === 'control';
  const label = passage.leak ? '<span class="tag leak">leak</span>' : collateral ? '<span class="tag">removed</span>' : '<span class="tag">nearest</span>';
  return `<li class="passage">${label} <code>${escape(passage.id)}</code> [${passage.start}, ${passage.end}) ${escape(passage.detector)} ${passage.score} <span class="hash" title="passage hash, for a waiver">#${escape(passage.hash)}</span><br>${marked}</li>`;
}

/** The sampled document with removed spans marked, and what each finding was. */
function sampledDocument(sample: SampledDocument): string {
  const parts: string[] = [];
  let cursor = 0;
  for (const edit of [...sample.edits].sort((a, b) => a.start - b.start)) {
    if (edit.start < cursor) continue;
    parts.push(escape(sample.text.slice(cursor, edit.start)));
    parts.push(`<mark class="removed" title="removed: ${escape(edit.concept)} (${escape(edit.unit)})">${escape(sample.text.slice(edit.start, edit.end))}</mark>`);
    cursor = edit.end;
  }
  parts.push(escape(sample.text.slice(cursor)));
  const after =
    sample.action === 'drop'
      ? '<p class="dropped">The whole document was dropped.</p>'
      : `<pre>${escape(applyEdits(sample.text, sample.edits.filter((edit) => edit.end <= sample.text.length).map((edit) => ({ ...edit, action: 'delete' as const }))))}</pre>`;
  const findings = sample.findings.map((finding) => [escape(finding.detector), escape(finding.concept), String(Math.round(finding.score * 1000) / 1000), escape(finding.evidence.rule), escape(finding.evidence.match.slice(0, 80)), `${finding.start}–${finding.end}`]);
  return `<details class="sample"${sample.action !== 'keep' ? ' open' : ''}><summary><code>${escape(sample.id)}</code> (record ${sample.seq}): ${sample.action === 'drop' ? 'dropped' : sample.action === 'edit' ? 'edited' : 'kept'}${sample.truncated ? ', first part shown' : ''}</summary>
<div class="before-after"><div><h4>Before (removed spans marked)</h4><pre>${parts.join('')}</pre></div><div><h4>After</h4>${after}</div></div>
<h4>Findings</h4>${table(['detector', 'concept', 'score', 'rule', 'evidence', 'span'], findings, { numeric: [false, false, true] })}</details>`;
}

const STYLE = `body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1100px;padding:1.5rem;color:#1d232a;background:#fff}
h1{font-size:1.5rem;margin:.2rem 0 1rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d8dee4;padding-bottom:.2rem}h4{margin:.6rem 0 .3rem;font-size:.9rem}
.verdict{padding:.8rem 1rem;border-radius:6px;border-left:6px solid #2e7d32;background:#eef7ee;font-weight:600}
.verdict.failed{border-color:#c62828;background:#fdecec}.verdict.unmeasured{border-color:#b26a00;background:#fff6e5}
table{border-collapse:collapse;margin:.5rem 0;font-size:.88rem}th,td{border:1px solid #d8dee4;padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f3f5f7}td.num,th.num{text-align:right}
table.sortable th{cursor:pointer}mark{background:#ffe08a}mark.removed{background:#ffc9c9;text-decoration:line-through}
pre{white-space:pre-wrap;word-break:break-word;background:#f8f9fa;padding:.5rem;border:1px solid #e5e8eb;max-height:28rem;overflow:auto;font-size:.82rem}
.before-after{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.passage{margin:.3rem 0}.tag{font-size:.75rem;padding:0 .3rem;border-radius:3px;background:#e5e8eb}.tag.leak{background:#c62828;color:#fff}
.hash{color:#57606a;font-size:.78rem}figure{display:inline-block;margin:.5rem 1rem .5rem 0}figcaption{font-size:.82rem;color:#57606a}
svg .bar{fill:#4a78b5}svg .count{font-size:9px;fill:#1d232a;text-anchor:middle}svg .axis{font-size:8px;fill:#57606a;text-anchor:middle}svg .base{stroke:#8c959f}
.filter{margin:.4rem 0;padding:.3rem;width:20rem;display:none}.js .filter{display:block}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;font-size:.88rem}dt{font-weight:600}dd{margin:0;word-break:break-all}`;

/** Sorts a table by a clicked header, and filters passage lists; the report reads the same without it. */
const SCRIPT = `document.documentElement.classList.add('js');
for (const table of document.querySelectorAll('table.sortable')) {
  table.querySelectorAll('th').forEach((th, column) => th.addEventListener('click', () => {
    const body = table.tBodies[0];
    const rows = [...body.rows];
    const key = (row) => { const text = row.cells[column].textContent.replace(/[,%]/g, ''); const n = Number(text); return Number.isNaN(n) ? text : n; };
    const down = th.dataset.sorted !== 'down';
    rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * (down ? -1 : 1));
    th.dataset.sorted = down ? 'down' : 'up';
    rows.forEach((row) => body.appendChild(row));
  }));
}
for (const input of document.querySelectorAll('input.filter')) {
  input.addEventListener('input', () => {
    const words = input.value.toLowerCase();
    document.querySelectorAll(input.dataset.target).forEach((item) => { item.hidden = !item.textContent.toLowerCase().includes(words); });
  });
}`;

export function renderReportHtml(input: HtmlReportInput): string {
  const { identity, summary, verification, collateral, data } = input;
  // Green only when a measure of the target text left shows it within --max-leak (leak-limit.ts):
  // re-detection passing says nothing of what it cannot see. Amber when nothing shows it either way.
  const status = verification.status === 'passed' ? 'passed' : verification.status === 'failed' ? 'failed' : 'unmeasured';
  const out: string[] = [];
  out.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Lacuna ${escape(identity.command)}: ${escape(identity.pack.id)} ${escape(identity.pack.version)}</title><style>${STYLE}</style></head><body>`);
  out.push(`<h1>Lacuna ${escape(identity.command)} report: ${escape(identity.pack.id)} ${escape(identity.pack.version)}</h1>`);
  out.push(`<p class="verdict ${status}" id="verdict">${escape(verification.verdict)}</p>`);
  out.push(`<ul class="methods">${verification.methods.map((method) => `<li>${escape(method)}</li>`).join('')}</ul>`);

  out.push('<h2>Run</h2><dl>');
  const identityRows: [string, string][] = [
    ['command', `lacuna ${identity.command}`],
    ['tool', identity.tool],
    ['pack', `${identity.pack.id} ${identity.pack.version}, sha256 ${identity.pack.sha256}`],
    ['passage model', identity.passageModel ? `sha256 ${identity.passageModel.sha256}` : 'none'],
    ['embedding model', identity.embeddingModel ?? 'none (the semantic detector did not run)'],
    ['waiver', identity.waiver ? `${identity.waiver.path}, sha256 ${identity.waiver.sha256}` : 'none'],
    ['detectors', verification.detectors.join(', ')],
  ];
  for (const [term, value] of identityRows) out.push(`<dt>${escape(term)}</dt><dd>${escape(value)}</dd>`);
  out.push('</dl>');
  const inputRows = identity.inputs.slice(0, MAX_INPUT_ROWS).map((item) => [`<code>${escape(item.label)}</code>`, number(item.bytes), `<code>${escape(item.sha256)}</code>`]);
  out.push(table(['input', 'bytes', 'sha256'], inputRows, { numeric: [false, true, false] }));
  if (identity.inputs.length > MAX_INPUT_ROWS) out.push(`<p>… and ${identity.inputs.length - MAX_INPUT_ROWS} more inputs (all in manifest.json).</p>`);

  if (verification.integrity && verification.integrity.problems.length > 0) {
    out.push('<h2>Integrity problems</h2><ul>', ...verification.integrity.problems.map((problem) => `<li>${escape(problem)}</li>`), '</ul>');
  }
  if (verification.estimate) {
    const e = verification.estimate;
    const row = (what: string, value: { estimate: number; low: number; high: number }, format: (n: number) => string) => [escape(what), format(value.estimate), `${format(value.low)} – ${format(value.high)}`];
    out.push(`<h2>${e.masked ? 'Estimated target text left' : 'Estimated target text in the corpus'}</h2>`);
    out.push(table(['quantity', 'estimate', '95% interval'], [row(e.masked ? 'target characters in the input' : 'target characters in the corpus', e.targetChars, number), ...(e.masked ? [row('target characters left in the output', e.remainingChars, number)] : []), row('held-out recall of the detectors', e.recall, percent), row('held-out removal from other books', e.falseRemoval, percent)], { numeric: [false, true, true] }));
    out.push(`<p>${escape(e.method)}. The estimate leans high: target books are labelled as a whole. A labelled sample (<code>lacuna verify RUN --sample N</code>, then <code>--labels</code>) measures without that assumption.</p>`);
  } else if (verification.estimateUnavailable) {
    out.push(`<h2>Estimated target text left</h2><p>No estimate: ${escape(verification.estimateUnavailable)}.</p>`);
  }
  if (verification.labels) {
    const l = verification.labels;
    const share = (value: { estimate: number; low: number; high: number }) => `${percent(value.estimate)} (${percent(value.low)}–${percent(value.high)})`;
    out.push('<h2>Measured on labelled passages</h2>');
    out.push(table(['side', 'band', 'passages', 'labelled', 'target', 'target share (95% Wilson)'], l.strata.map((s) => [s.side, escape(s.band), number(s.passages), String(s.labelled), String(s.targets), share(s.share)]), { numeric: [false, false, true, true, true, true] }));
    out.push(`<p>Leakage: ${share(l.leakage)} of kept passages are target knowledge. Collateral damage: ${share(l.collateral)} of removed passages are not.</p>`);
  }

  if (verification.outputScores) {
    out.push('<h2>How close the kept text comes</h2>', histogram("output paragraphs by the passage classifier's score (t: its threshold)", verification.outputScores.map((row) => row.paragraphs), ['< t−4', 't−4…t−2', 't−2…t', '≥ t']));
  }
  if (verification.probes) {
    const probes = verification.probes;
    out.push('<h2 id="probes">Probes verified against this corpus</h2>', `<p>From <code>${escape(probes.dir)}</code>. A masked probe that fails is knowledge the corpus still holds; a control that fails is knowledge it lost.</p>`);
    out.push(table(['kind', 'passed', 'failed'], Object.entries(probes.byKind).map(([kind, count]) => [escape(kind), String(count.passed), String(count.failed)]), { numeric: [false, true, true] }));
    if (probes.failures.length > 0) out.push(table(['probe', 'kind', 'concept', 'question', 'failed check'], probes.failures.map((failure) => [`<code>${escape(failure.id)}</code>`, escape(failure.kind), escape(failure.concept), escape(failure.question), escape(failure.failed.join('; '))]), { sortable: true }));
  }
  out.push('<h2 id="concepts">Concepts</h2>');
  const known = (value: number | undefined) => (value === undefined ? '–' : number(value));
  const left = (id: string) => {
    const value = verification.estimate?.remainingByConcept[id];
    return value ? `${number(value.estimate)} (${number(value.low)}–${number(value.high)})` : '–';
  };
  const conceptRows = Object.entries(verification.concepts).map(([id, concept]) => [`<span class="concept">${escape(id)}</span>`, known(summary.findingsByConcept?.[id]), known(summary.removedCharsByConcept?.[id]), String(concept.lexical), String(concept.semantic), String(concept.waived), left(id), concept.passed ? 'pass' : '<strong>FAIL</strong>']);
  out.push(table(['concept', 'findings in input', 'characters removed', 'residual (re-detection)', 'residual (semantic)', 'waived', 'target characters left, estimated (95%)', 'verdict'], conceptRows, { sortable: true, numeric: [false, true, true, true, true, true, true, false] }));
  const counts = summary.counts;
  if (counts) out.push(`<p>Documents: ${number(counts.input)} in, ${number(counts.kept)} kept unchanged, ${number(counts.edited)} edited, ${number(counts.dropped)} dropped, ${number(counts.rejected)} rejected.</p>`);
  // The field is the user's text, so it is escaped; the code mark-up is the report's own.
  if (summary.context) out.push(`<p>${contextSentence({ ...summary.context, field: escape(summary.context.field) }, (text) => `<code>${text}</code>`)}</p>`);
  if (summary.workField) out.push(`<p>${workFieldSentence({ ...summary.workField, field: escape(summary.workField.field) }, (text) => `<code>${text}</code>`)}.</p>`);

  if (collateral) {
    out.push('<h2>Collateral damage</h2>', `<p>${number(collateral.removedChars)} of ${number(collateral.inputChars)} characters removed (${percent(collateral.removedShare)}).</p>`);
    const destroyed = Object.entries(collateral.destroyed);
    if (destroyed.length === 0) out.push('<p>No keep context and no word a control probe rests on lies inside a removed span.</p>');
    else {
      out.push(table(['kept knowledge inside removed spans', 'kind', 'occurrences'], destroyed.map(([what, entry]) => [escape(what), entry.kind, String(entry.count)]), { sortable: true, numeric: [false, false, true] }));
      out.push('<ul class="collateral">', ...destroyed.slice(0, 10).flatMap(([, entry]) => entry.passages.map(passageItem)), '</ul>');
    }
  }

  if (data) {
    out.push('<h2>How removal and scores spread</h2>');
    out.push(histogram('documents by share of their text removed', data.removalHistogram, TENTHS));
    for (const [detector, counts] of Object.entries(data.scoreHistograms)) out.push(histogram(`findings of the ${detector} detector by score`, counts, SCORE_BINS));
    out.push('<h2 id="inputs">Per input file</h2>');
    const rows = data.inputs.map((item) => [`<code>${escape(item.file)}</code>`, number(item.documents), number(item.kept), number(item.edited), number(item.dropped), number(item.rejected), number(item.chars), number(item.removedChars), item.chars ? percent(item.removedChars / item.chars) : '–']);
    out.push(table(['input', 'documents', 'kept', 'edited', 'dropped', 'rejected', 'characters', 'removed', 'share removed'], rows, { sortable: true, numeric: [false, true, true, true, true, true, true, true, true] }));
    if (data.samples.length > 0) {
      out.push('<h2 id="samples">Documents before and after</h2>', `<p>${data.samples.length} documents with findings, chosen by a hash of their position (the same on every rerun).</p>`);
      for (const sample of data.samples) out.push(sampledDocument(sample));
    }
  }

  const withPassages = Object.entries(verification.concepts).filter(([, concept]) => concept.passages.length > 0);
  out.push('<h2 id="passages">Residual and nearest passages</h2>');
  if (withPassages.length === 0) out.push('<p>None: re-detection found nothing in the output.</p>');
  else {
    out.push('<input class="filter" type="search" placeholder="filter passages" data-target="li.passage" aria-label="filter passages">');
    for (const [id, concept] of withPassages) out.push(`<h3>${escape(id)}</h3><ul>`, ...concept.passages.map(passageItem), '</ul>');
  }
  out.push(`<script>${SCRIPT}</script></body></html>\n`);
  return out.join('\n');
}

/** The audit's report.html: what target knowledge a corpus holds, with no verdict (nothing was masked). */
export function renderAuditHtml(report: AuditReport): string {
  const out: string[] = [];
  out.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Lacuna audit: ${escape(report.pack.id)} ${escape(report.pack.version)}</title><style>${STYLE}</style></head><body>`);
  out.push(`<h1>Lacuna audit report: ${escape(report.pack.id)} ${escape(report.pack.version)}</h1>`);
  const d = report.documents;
  out.push(`<p class="verdict unmeasured" id="verdict">${escape(`${number(d.withFindings)} of ${number(d.total)} documents hold findings of ${report.pack.id} (${number(report.findings.total)} findings, ${number(report.findings.suppressed)} suppressed by keep contexts), by ${report.detectors.join(', ')}. An audit measures; it removes nothing.`)}</p>`);
  out.push('<h2>Run</h2><dl>');
  for (const [term, value] of [
    ['command', 'lacuna audit'],
    ['tool', `${report.tool.name} ${report.tool.version}`],
    ['pack', `${report.pack.id} ${report.pack.version}, sha256 ${report.pack.sha256}`],
    ['detectors', report.detectors.join(', ')],
  ]) out.push(`<dt>${escape(term)}</dt><dd>${escape(value)}</dd>`);
  out.push('</dl>');
  if (report.context) out.push(`<p>${contextSentence({ ...report.context, field: escape(report.context.field) }, (text) => `<code>${text}</code>`)}</p>`);
  if (report.workField) out.push(`<p>${workFieldSentence({ ...report.workField, field: escape(report.workField.field) }, (text) => `<code>${text}</code>`)}.</p>`);
  out.push(table(['input', 'bytes', 'records', 'rejected', 'sha256'], report.inputs.slice(0, MAX_INPUT_ROWS).map((item) => [`<code>${escape(item.path)}</code>`, number(item.bytes), number(item.records), number(item.rejected), `<code>${escape(item.sha256)}</code>`]), { sortable: true, numeric: [false, true, true, true, false] }));
  out.push('<h2 id="concepts">Concepts</h2>');
  out.push(table(['concept', 'findings', 'documents', 'suppressed', 'by detector'], Object.entries(report.concepts).map(([id, concept]) => [`<span class="concept">${escape(id)}</span>`, number(concept.findings), number(concept.documents), number(concept.suppressed), escape(Object.entries(concept.byDetector).map(([name, count]) => `${name} ${count}`).join(', '))]), { sortable: true, numeric: [false, true, true, true, false] }));
  out.push('<h2>How findings spread</h2>', histogram('documents with findings by share of their sentences flagged', report.flaggedFractionHistogram, TENTHS));
  out.push('<h2>Most flagged documents</h2>', table(['document', 'characters', 'sentences', 'flagged', 'share', 'concepts'], report.mostFlagged.map((doc) => [`<code>${escape(doc.id)}</code>`, number(doc.chars), number(doc.sentences), number(doc.flaggedSentences), percent(doc.flaggedFraction), escape(doc.concepts.join(', '))]), { sortable: true, numeric: [false, true, true, true, true, false] }));
  out.push('<h2 id="passages">Passages</h2>', '<input class="filter" type="search" placeholder="filter passages" data-target="li.passage" aria-label="filter passages">');
  for (const [id, concept] of Object.entries(report.concepts)) {
    if (concept.passages.length === 0) continue;
    out.push(`<h3>${escape(id)}</h3><ul>`);
    for (const passage of concept.passages) out.push(`<li class="passage"><span class="tag leak">finding</span> <code>${escape(passage.id)}</code> [${passage.start}, ${passage.end}) ${escape(passage.detector)} ${passage.score}<br>${escape(passage.context).replace('⟦', '<mark>').replace('⟧', '</mark>')}</li>`);
    out.push('</ul>');
  }
  out.push(`<script>${SCRIPT}</script></body></html>\n`);
  return out.join('\n');
}
