/**
 * The published Results API description (OpenAPI 3.0), read at run time from the shared reference
 * folder beside the clone, and its operations as tests need them: path, parameters and the 200
 * answer's content type, body schema and headers. It is never copied into the repository.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** The subset of OpenAPI 3.0 schema objects the description uses. */
export interface OpenApiSchema {
  $ref?: string;
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';
  format?: string;
  nullable?: boolean;
  enum?: unknown[];
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  items?: OpenApiSchema;
  allOf?: OpenApiSchema[];
  oneOf?: OpenApiSchema[];
  anyOf?: OpenApiSchema[];
  minimum?: number;
  maximum?: number;
  description?: string;
  example?: unknown;
  default?: unknown;
}

/** Keywords the generator and the validator understand; any other one is refused, not ignored. */
export const UNDERSTOOD_KEYWORDS: ReadonlySet<string> = new Set([
  '$ref',
  'type',
  'format',
  'nullable',
  'enum',
  'properties',
  'required',
  'items',
  'allOf',
  'oneOf',
  'anyOf',
  'minimum',
  'maximum',
  'description',
  'example',
  'default',
]);

export interface PublishedParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: OpenApiSchema;
}

export interface PublishedOperation {
  operationId: string;
  method: string;
  /** The path template, e.g. `/api/v2/sessionResults/{sessionId}/clips`. */
  path: string;
  parameters: PublishedParameter[];
  /** Status codes the description documents for the operation. */
  statuses: string[];
  ok: { contentType: string; schema: OpenApiSchema; headers: Record<string, OpenApiSchema> };
}

export interface PublishedDescription {
  operations: PublishedOperation[];
  /** A schema with its `$ref` (if any) followed, recursively. */
  resolve(schema: OpenApiSchema): OpenApiSchema;
  /** A named component schema (`#/components/schemas/<name>`). */
  component(name: string): OpenApiSchema;
  /** Every property name declared anywhere in the components. */
  propertyNames: ReadonlySet<string>;
}

/** CI lays the shared reference folder beside the clone; a developer's checkout has it there too. */
export const PUBLISHED_DESCRIPTION_FILE = path.resolve(__dirname, '..', '..', '..', 'shared', 'reference', 'usertesting-results-v2-openapi.yml');

/** The description, or undefined (with the reason) when the file is not beside the clone. */
export function loadPublishedDescription(file = PUBLISHED_DESCRIPTION_FILE): { description: PublishedDescription } | { missing: string } {
  if (!fs.existsSync(file)) return { missing: `the published API description is not at ${file}` };
  return { description: readDocument(parse(fs.readFileSync(file, 'utf8')) as RawDocument) };
}

/** The document as parsed: only the parts read here. */
interface RawOperation {
  operationId: string;
  parameters?: Array<{ name: string; in: PublishedParameter['in']; required?: boolean; schema: OpenApiSchema }>;
  responses?: Record<string, { content?: Record<string, { schema: OpenApiSchema }>; headers?: Record<string, { schema: OpenApiSchema }> }>;
}
interface RawDocument {
  paths?: Record<string, Record<string, RawOperation>>;
  components?: { schemas?: Record<string, OpenApiSchema> };
}

function readDocument(document: RawDocument): PublishedDescription {
  const schemas: Record<string, OpenApiSchema> = document.components?.schemas ?? {};
  const component = (name: string): OpenApiSchema => {
    const found = schemas[name];
    if (!found) throw new Error(`the description has no component schema ${name}`);
    return found;
  };
  const resolve = (schema: OpenApiSchema): OpenApiSchema => {
    if (!schema.$ref) return schema;
    const prefix = '#/components/schemas/';
    if (!schema.$ref.startsWith(prefix)) throw new Error(`unsupported $ref ${schema.$ref}`);
    return resolve(component(schema.$ref.slice(prefix.length)));
  };

  const operations: PublishedOperation[] = [];
  for (const [template, methods] of Object.entries(document.paths ?? {})) {
    for (const [method, op] of Object.entries(methods)) {
      const ok = op.responses?.['200'];
      const [contentType, media] = Object.entries(ok?.content ?? {})[0] ?? [];
      if (!ok || !contentType || !media) throw new Error(`${op.operationId} documents no 200 body`);
      const headers = Object.fromEntries(Object.entries(ok.headers ?? {}).map(([name, h]) => [name, h.schema]));
      operations.push({
        operationId: op.operationId,
        method,
        path: template,
        parameters: (op.parameters ?? []).map((p) => ({ name: p.name, in: p.in, required: p.required === true, schema: p.schema })),
        statuses: Object.keys(op.responses ?? {}),
        ok: { contentType, schema: media.schema, headers },
      });
    }
  }

  const propertyNames = new Set<string>();
  for (const schema of Object.values(schemas)) for (const name of Object.keys(schema.properties ?? {})) propertyNames.add(name);
  return { operations, resolve, component, propertyNames };
}
