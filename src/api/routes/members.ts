// /v1/members/{user_id}: a member's right to erasure (API.md §10).
import { validationError } from '../../domain/errors.ts';
import type { Api, ApiDeps } from '../deps.ts';
import { errorsFor } from '../openapi.ts';
import { ErasedOut, MAX_USER_ID, MemberParams } from '../schemas.ts';

const tags = ['Members'];

export function memberRoutes(app: Api, deps: ApiDeps): void {
  const { store } = deps;

  app.delete(
    '/v1/members/:user_id',
    {
      config: { scope: 'manage' },
      schema: {
        tags,
        operationId: 'eraseMember',
        summary: "Erase a member of the tenant: every event of the tenant with that user_id, its deliveries and attempt logs (pending ones cancelled first); stats are kept",
        params: MemberParams,
        response: { 200: ErasedOut, ...errorsFor('path') },
      },
    },
    async (request) => {
      const userId = request.params.user_id;
      if (userId.length === 0 || userId.length > MAX_USER_ID) {
        throw validationError([
          { field: 'user_id', message: `user_id in the path must be 1 to ${MAX_USER_ID} characters, the user_id the events were sent with (got ${userId.length})` },
        ]);
      }
      // The user_id is member data: it is not logged here (the request log shows the path only if configured).
      return store.eraseMember(request.tenant, userId);
    },
  );
}
