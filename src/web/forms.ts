// The HTTP side of forms: one way for every form's POST to parse the body, run the rule, and, when either finds
// field errors, show the form again with what the user typed.
import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { ValidationError } from '../errors.js';
import { parseForm, type FieldErrors } from '../forms/parse-form.js';

/** What a form is shown again with: the user's input and the errors by field. */
export interface FormView {
  values: Record<string, unknown>;
  errors: FieldErrors;
}

export interface FormSpec<S extends z.ZodType> {
  /** The form's schema, or how to make it for this request (e.g. dates typed in the user's zone). */
  schema: S | ((req: Request) => S);
  /** Renders the form again (the status is already set). */
  rerender: (req: Request, res: Response, view: FormView) => void | Promise<void>;
  /** Fields never echoed back into the page (passwords). */
  secret?: readonly string[];
}

/** The body as a plain record of strings, for re-rendering what the user typed. */
export function submittedValues(body: unknown, secret: readonly string[] = []): Record<string, unknown> {
  const values = body && typeof body === 'object' ? { ...(body as Record<string, unknown>) } : {};
  for (const field of secret) if (field in values) values[field] = '';
  return values;
}

/**
 * A form's POST handler: the body is parsed with the schema and the action runs with the typed data; the
 * schema's problems and the rules' own field errors (a ValidationError) both show the form again as a 422.
 */
export function formAction<S extends z.ZodType>(
  spec: FormSpec<S>,
  action: (req: Request, res: Response, data: z.infer<S>) => Promise<void>,
): RequestHandler {
  return async (req, res) => {
    const rerender = (errors: FieldErrors) =>
      spec.rerender(req, res.status(422), { values: submittedValues(req.body, spec.secret), errors });
    const schema = typeof spec.schema === 'function' ? spec.schema(req) : spec.schema;
    const form = parseForm(schema, req.body);
    if (!form.ok) return rerender(form.errors);
    try {
      await action(req, res, form.data);
    } catch (err) {
      if (err instanceof ValidationError && !res.headersSent) return rerender(err.fieldErrors);
      throw err;
    }
  };
}
