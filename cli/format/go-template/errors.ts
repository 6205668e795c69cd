// The one error of the template engine, worded as Go's text/template words it
// (`template: :1: unclosed action`, `template: :1:2: executing "" at <.X>: …`).

export class TemplateError extends Error {
  /** True for an error while executing (Docker exits 1), false while parsing. */
  readonly executing: boolean;

  constructor(src: string, pos: number, msg: string, executing: boolean, context = '') {
    const before = src.slice(0, pos);
    const line = before.split('\n').length;
    const col = pos - (before.lastIndexOf('\n') + 1);
    super(
      executing
        ? `template: :${line}:${col}: executing "" at <${context}>: ${msg}`
        : `template: :${line}: ${msg}`,
    );
    this.name = 'TemplateError';
    this.executing = executing;
  }
}
