// What the signed-in credential may do (GET /v1/me): an admin switches tenants and manages tenants
// and keys; a `read` key or session sees no write buttons. Components ask with useAccess().
import { createContext, useContext } from 'react';
import type { Me } from './api/tenants';

export interface Access {
  me: Me;
  isAdmin: boolean;
  /** manage or admin: Create, Edit, Delete, Test, Resend, Recover, Cancel and the Enable toggles. */
  canWrite: boolean;
}

export function accessOf(me: Me): Access {
  const isAdmin = me.scopes.includes('admin');
  return { me, isAdmin, canWrite: isAdmin || me.scopes.includes('manage') };
}

const FULL: Access = accessOf({ kind: 'admin', scopes: ['admin'], tenant_id: null, expires_at: null });
export const AccessContext = createContext<Access>(FULL);

export function useAccess(): Access {
  return useContext(AccessContext);
}
