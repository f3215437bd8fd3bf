import { ApolloLink } from '@apollo/client/link';
import { ServerError } from '@apollo/client/errors';
import type { FormattedExecutionResult } from 'graphql';
import { type Observable, from, mergeMap, of, throwError, catchError } from 'rxjs';
import type { Session } from './session.js';

const UNAUTHENTICATED = 'UNAUTHENTICATED';

/** An operation context key: when true, the operation is sent without the session's token. */
export const WITHOUT_SESSION = 'fitnexaWithoutSession';

function isRejectedResult(result: FormattedExecutionResult): boolean {
  return result.errors?.some((error) => error.extensions?.['code'] === UNAUTHENTICATED) ?? false;
}

function isRejectedResponse(error: unknown): boolean {
  return ServerError.is(error) && error.statusCode === 401;
}

/**
 * Sends the session's access token with each operation. When the gateway refuses it (401 or
 * UNAUTHENTICATED), renews the session once — shared with every other refused request — and sends
 * the operation again with the new token; when the renewal signs the user out, the refusal stands.
 */
export function authLink(session: Session): ApolloLink {
  return new ApolloLink((operation, forward) => {
    const send = (accessToken: string | null) => {
      operation.setContext(({ headers = {} }: { headers?: Record<string, string> }) => ({
        headers: {
          ...headers,
          ...(accessToken === null ? {} : { authorization: `Bearer ${accessToken}` }),
        },
      }));
      return forward(operation);
    };
    const retry = (accessToken: string, refusal: Observable<FormattedExecutionResult>) =>
      from(session.renew(accessToken)).pipe(
        mergeMap((renewed) => (renewed === null ? refusal : send(renewed))),
      );

    if (operation.getContext()[WITHOUT_SESSION] === true) return forward(operation);
    return from(session.accessToken()).pipe(
      mergeMap((accessToken) => {
        const first = send(accessToken);
        // Signed out: nothing to renew.
        if (accessToken === null) return first;
        return first.pipe(
          mergeMap((result) =>
            isRejectedResult(result) ? retry(accessToken, of(result)) : of(result),
          ),
          catchError((error: unknown) =>
            isRejectedResponse(error)
              ? retry(
                  accessToken,
                  throwError(() => error),
                )
              : throwError(() => error),
          ),
        );
      }),
    );
  });
}
