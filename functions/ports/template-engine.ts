/** A template that cannot be rendered: bad syntax, an undefined name, a blocked lookup. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/**
 * Renders Jinja-style templates (`{{ ds }}`, `{{ macros.ds_add(ds, 1) }}`) against a context.
 * A template sees the context and nothing else: no process, no environment, no modules.
 */
export interface TemplateEngine {
  /** Renders one template; throws TemplateError naming an undefined name or the syntax error. */
  render(template: string, context: Readonly<Record<string, unknown>>): string;
}
