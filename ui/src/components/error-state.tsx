import type { ReactNode } from 'react';
import { Alert, Button } from 'antd';
import { errorMessage, isRefusal } from '../api/client';

/**
 * A failed load: the API's own message and reasons, and a way on. A refused request (4xx) shows `fix` if
 * given (e.g. clear the filters); trouble on the way or in the server gets "Try again" and a log hint.
 */
export function ErrorState(props: { error: unknown; what: string; onRetry: () => void; fix?: ReactNode }) {
  const { error, what, onRetry, fix } = props;
  const isRefused = isRefusal(error);
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      title={`Could not load ${what}`}
      description={isRefused ? errorMessage(error) : `${errorMessage(error)} Try again; if it keeps failing, check the Herald server log.`}
      action={
        isRefused && fix ? (
          fix
        ) : (
          <Button size="small" onClick={onRetry}>
            Try again
          </Button>
        )
      }
    />
  );
}
