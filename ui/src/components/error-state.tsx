import { Alert, Button } from 'antd';
import { errorMessage } from '../api/client';

/** A failed load: what went wrong and a way to try again. */
export function ErrorState({ error, what, onRetry }: { error: unknown; what: string; onRetry: () => void }) {
  return (
    <Alert
      type="error"
      showIcon
      title={`Could not load ${what}`}
      description={`${errorMessage(error)} Try again; if it keeps failing, check the Herald server log.`}
      action={
        <Button size="small" onClick={onRetry}>
          Try again
        </Button>
      }
    />
  );
}
