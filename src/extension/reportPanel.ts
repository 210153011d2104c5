// The Evaluation Report: accuracy, confusion-matrix heatmap (click a cell for its images),
// per-class metrics and the most confidently wrong images, exportable as Markdown or CSV. One
// panel; a new evaluation replaces its content. The webview keeps the report in its state, so it
// survives hide/show and, through the serializer, a window reload.
import * as path from 'path';
import * as vscode from 'vscode';
import { checkReport, checkReportFromWebview, checkReportToWebview, type ReportFromWebview, type ReportPayload, type ReportToWebview } from '../shared/reportMessages';
import { reportToCsv, reportToMarkdown, type ReportSummary } from '../shared/reportExport';
import { CheckError } from '../shared/check';
import { writeFileAtomic } from '../engine/core/files';
import { type Handlers, Panel, PanelKind } from './panel';

export interface ReportHost {
  extensionUri: vscode.Uri;
  log(line: string): void;
}

const KIND = new PanelKind<ReportFromWebview, ReportToWebview, ReportPanel>({
  viewType: 'digitRecognizer.evaluationReport',
  title: 'Evaluation Report',
  script: 'report',
  style: 'insights',
  appClass: 'insights',
  checkIn: checkReportFromWebview,
  checkOut: checkReportToWebview,
});

export class ReportPanel extends Panel<ReportFromWebview, ReportToWebview> {
  static show(host: ReportHost): ReportPanel {
    return KIND.show(host.extensionUri, (panel) => new ReportPanel(panel, host));
  }

  static registerSerializer(host: ReportHost): vscode.Disposable {
    return KIND.registerSerializer((panel, state) => {
      const restored = new ReportPanel(panel, host);
      const saved = typeof state === 'object' && state ? (state as { report?: unknown }).report : undefined;
      if (saved !== undefined) {
        try {
          restored.report = checkReport(saved);
        } catch (err) {
          if (!(err instanceof CheckError)) throw err;
          host.log(`Evaluation Report: the saved report is not valid (${err.message})`);
        }
      }
      return restored;
    });
  }

  private report: ReportPayload | undefined;
  private pendingProgress: { message: string; fraction?: number } | undefined;

  protected readonly handlers: Handlers<ReportFromWebview> = {
    ready: () => {
      if (this.pendingProgress) this.post({ type: 'progress', ...this.pendingProgress });
      else if (this.report) this.post({ type: 'report', report: this.report });
    },
    export: async (m) => void (await this.export(m.format)),
    command: (m) => {
      const modelId = this.report?.modelId;
      if (m.command === 'evaluateAgain') void vscode.commands.executeCommand('digitRecognizer.evaluateModel', modelId);
      if (m.command === 'pickFile') void vscode.commands.executeCommand('digitRecognizer.evaluateModel', modelId, undefined, { pickFile: true });
    },
  };

  private constructor(
    panel: vscode.WebviewPanel,
    private readonly host: ReportHost,
  ) {
    super(panel, KIND, host.extensionUri, host.log);
  }

  progress(message: string, fraction?: number): void {
    this.pendingProgress = { message, fraction };
    this.post({ type: 'progress', message, fraction });
  }

  showReport(report: ReportPayload): void {
    this.pendingProgress = undefined;
    this.report = report;
    this.panel.title = `Evaluation: ${report.modelName}`;
    this.post({ type: 'report', report });
  }

  showError(message: string): void {
    this.pendingProgress = undefined;
    this.post({ type: 'error', message });
  }

  /** Writes the report as Markdown or CSV where the user says (default: beside the CSV). */
  async export(format: 'markdown' | 'csv', target?: vscode.Uri): Promise<string | undefined> {
    const report = this.report;
    if (!report) {
      void vscode.window.showWarningMessage('No evaluation to export yet.');
      return undefined;
    }
    const ext = format === 'markdown' ? 'md' : 'csv';
    const base = `evaluation-${report.modelName.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'model'}.${ext}`;
    const dir = path.isAbsolute(report.file) ? path.dirname(report.file) : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const uri =
      target ??
      (await vscode.window.showSaveDialog({
        title: `Export the evaluation as ${format === 'markdown' ? 'Markdown' : 'CSV'}`,
        defaultUri: dir ? vscode.Uri.file(path.join(dir, base)) : undefined,
        filters: format === 'markdown' ? { Markdown: ['md'] } : { CSV: ['csv'] },
      }));
    if (!uri) return undefined;
    const text = format === 'markdown' ? reportToMarkdown(summaryOf(report)) : reportToCsv(summaryOf(report));
    await writeFileAtomic(uri.fsPath, text, 'export the evaluation to');
    this.host.log(`Evaluation exported to ${uri.fsPath}`);
    this.post({ type: 'exported', file: uri.fsPath });
    if (!target) void vscode.window.showTextDocument(uri, { preview: true, viewColumn: vscode.ViewColumn.Active });
    return uri.fsPath;
  }
}

export function summaryOf(r: ReportPayload): ReportSummary {
  return {
    modelName: r.modelName,
    data: r.data,
    rows: r.rows,
    accuracy: r.accuracy,
    matrix: r.matrix,
    classes: r.classes,
    date: r.date,
    networkAccuracies: r.networkAccuracies,
    mistakes: r.mistakes.map((k) => {
      const e = r.examples[k];
      return { row: e.row, truth: e.truth, predicted: e.predicted, confidence: e.probabilities[e.predicted] };
    }),
  };
}
