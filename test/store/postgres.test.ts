// The store contract on the PostgreSQL adapter: the machine's server, a fresh database per test.
import { openPostgresStore } from '../../src/store/postgres/open.ts';
import { storeContract } from './contract.ts';
import { createTestDatabase, postgresAvailable } from '../helpers/postgres.ts';

if (await postgresAvailable()) {
  storeContract('postgres', async () => {
    const database = await createTestDatabase();
    const store = await openPostgresStore(database.url);
    return {
      store,
      async close() {
        await store.close();
        await database.drop();
      },
    };
  });
}
