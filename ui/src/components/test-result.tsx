import { Alert } from 'antd';
import type { TestResult } from '../api/types';

/** "Verified" on a 2xx; otherwise the status code and error, so the user knows what to fix. */
export function TestResultAlert({ result }: { result: TestResult }) {
  const took = `${result.duration_ms} ms`;
  if (result.verified) {
    return (
      <Alert
        type="success"
        showIcon
        role="status"
        title="Verified"
        description={`The endpoint answered HTTP ${result.status_code ?? '2xx'} in ${took}.`}
      />
    );
  }
  const status = result.status_code === null ? 'No response' : `HTTP ${result.status_code}`;
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      title={`Not verified: ${status}`}
      description={`${result.error ?? 'The endpoint did not answer with a 2xx status.'} (${took})`}
    />
  );
}
