// The evaluation report as Markdown (for notes, issues, READMEs) and CSV (for spreadsheets).
// Pure: used by the extension when the user exports, and by the unit tests.

export interface ReportSummary {
  modelName: string;
  /** What was evaluated, e.g. "validation split of train.csv (4,200 rows)". */
  data: string;
  rows: number;
  accuracy: number;
  /** matrix[true][predicted]. */
  matrix: number[][];
  classes: Array<{ digit: number; precision: number; recall: number; f1: number; support: number }>;
  /** The most confidently wrong predictions, most confident first. */
  mistakes: Array<{ row: number; truth: number; predicted: number; confidence: number }>;
  /** ISO date of the evaluation. */
  date?: string;
  /** A model of several networks: each network's own accuracy. */
  networkAccuracies?: number[];
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const fixed = (x: number) => x.toFixed(4);

/** Escapes text for a Markdown table cell or line. */
function md(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/([*_`[\]<>])/g, '\\$1').replace(/\r?\n/g, ' ');
}

export function reportToMarkdown(r: ReportSummary): string {
  const correct = r.matrix.reduce((sum, row, i) => sum + row[i], 0);
  const lines = [
    `# Evaluation: ${md(r.modelName)}`,
    '',
    `- Data: ${md(r.data)}`,
    `- Rows: ${r.rows}`,
    `- Accuracy: **${pct(r.accuracy)}** (${correct} of ${r.rows} correct)${r.networkAccuracies ? `, the average of ${r.networkAccuracies.length} networks: ${r.networkAccuracies.map(pct).join(', ')} alone` : ''}`,
    ...(r.date ? [`- Date: ${r.date}`] : []),
    '',
    '## Per-class metrics',
    '',
    '| Digit | Precision | Recall | F1 | Support |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...r.classes.map((c) => `| ${c.digit} | ${fixed(c.precision)} | ${fixed(c.recall)} | ${fixed(c.f1)} | ${c.support} |`),
    '',
    '## Confusion matrix',
    '',
    'Rows: true digit; columns: predicted digit.',
    '',
    `| true \\ predicted | ${r.matrix.map((_, j) => j).join(' | ')} |`,
    `| ---: | ${r.matrix.map(() => '---:').join(' | ')} |`,
    ...r.matrix.map((row, i) => `| **${i}** | ${row.map((n, j) => (i === j ? `**${n}**` : String(n))).join(' | ')} |`),
  ];
  if (r.mistakes.length) {
    lines.push('', '## Most confident mistakes', '', '| CSV line | True | Predicted | Confidence |', '| ---: | ---: | ---: | ---: |');
    for (const m of r.mistakes) lines.push(`| ${m.row + 2} | ${m.truth} | ${m.predicted} | ${pct(m.confidence)} |`);
  }
  return lines.join('\n') + '\n';
}

/**
 * One row per true digit: its metrics, then its row of the confusion matrix (predicted_0…9).
 * Then "macro_avg" (unweighted mean of the per-class metrics; predicted_j = how often j was
 * predicted) and "accuracy" (the micro average: precision = recall = F1 = accuracy).
 */
export function reportToCsv(r: ReportSummary): string {
  const header = ['digit', 'precision', 'recall', 'f1', 'support', ...r.matrix.map((_, j) => `predicted_${j}`)];
  const rows = r.classes.map((c) => [String(c.digit), fixed(c.precision), fixed(c.recall), fixed(c.f1), String(c.support), ...r.matrix[c.digit].map(String)]);
  const mean = (key: 'precision' | 'recall' | 'f1') => fixed(r.classes.reduce((sum, c) => sum + c[key], 0) / (r.classes.length || 1));
  const totals = r.matrix.map((_, j) => String(r.matrix.reduce((sum, row) => sum + row[j], 0)));
  rows.push(['macro_avg', mean('precision'), mean('recall'), mean('f1'), String(r.rows), ...totals]);
  rows.push(['accuracy', fixed(r.accuracy), fixed(r.accuracy), fixed(r.accuracy), String(r.rows), ...r.matrix.map(() => '')]);
  return [header, ...rows].map((cells) => cells.join(',')).join('\n') + '\n';
}
