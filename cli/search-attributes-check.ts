import { isGrpcServiceError, type Connection } from '@temporalio/client';
import { GRPC_CODE } from './grpc-codes';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../contract/search-attributes';
import { CliError, EXIT } from './exit-codes';

const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
/**
 * gRPC codes of a cluster that will not register our attributes: no operator rights or no operator
 * service for this client (Temporal Cloud), or no room left (a full set answers INVALID_ARGUMENT).
 */
const REFUSALS = new Set<number>([GRPC_CODE.INVALID_ARGUMENT, GRPC_CODE.PERMISSION_DENIED, GRPC_CODE.UNAUTHENTICATED, GRPC_CODE.UNIMPLEMENTED]);

/**
 * A cluster nobody prepared for us: the search attributes our workflows set must exist, or every
 * start fails. Registers the missing ones where the cluster lets this client (dev servers,
 * self-hosted with operator rights); otherwise stops before any API request, naming each attribute
 * and the command that creates it.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string, log: (line: string) => void): Promise<void> {
  const listed = await connection.operatorService.listSearchAttributes({ namespace });
  const known = { ...(listed.customAttributes ?? {}), ...(listed.systemAttributes ?? {}) };
  const missing = SEARCH_ATTRIBUTES.filter((a) => !(a.name in known));
  if (!missing.length) return;
  const names = missing.map((a) => a.name).join(', ');
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing.map((a) => [a.name, KEYWORD])) });
  } catch (err) {
    if (!(isGrpcServiceError(err) && REFUSALS.has(err.code))) throw err;
    const commands = missing.map((a) => `  temporal operator search-attribute create --namespace ${namespace} --name ${a.name} --type Keyword`).join('\n');
    const cloud = missing.map((a) => `"${a.name}=Keyword"`).join(' ');
    throw new CliError(
      `the Temporal namespace "${namespace}" lacks the search attributes ut-media sets (${names}) ` +
        `and this client may not create them (${(err as Error).message}). ` +
        `Create them once, then run again:\n${commands}\n` +
        `  (Temporal Cloud: tcld namespace search-attributes add --namespace ${namespace} --search-attribute ${cloud})`,
      EXIT.usage,
    );
  }
  log(`Registered the search attributes ${names} in namespace "${namespace}" (they were missing).`);
}
