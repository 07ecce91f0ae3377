import { Card, Descriptions, Empty } from 'antd';
import type { Attempt } from '../api/types';
import { JsonBlock } from '../components/json-block';
import { LocalTime } from '../components/local-time';

/** Every HTTP try of a delivery, oldest first: time, duration, status code, error, response body. */
export function AttemptList({ attempts }: { attempts: Attempt[] }) {
  if (attempts.length === 0) return <Empty description="No attempt yet: the first try is queued." />;
  return (
    <ol className="attempt-list" aria-label="Attempts" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
      {attempts.map((attempt) => (
        <li key={attempt.attempt} style={{ marginBottom: 12 }}>
          <Card size="small" title={`Attempt ${attempt.attempt}`}>
            <Descriptions
              size="small"
              column={2}
              items={[
                { key: 'time', label: 'Time', children: <LocalTime value={attempt.started_at} /> },
                { key: 'duration', label: 'Duration', children: attempt.duration_ms === null ? '—' : `${attempt.duration_ms} ms` },
                { key: 'status', label: 'Status Code', children: attempt.status_code ?? '—' },
                { key: 'error', label: 'Error', children: attempt.error ?? '—' },
                {
                  key: 'body',
                  label: 'Response Body',
                  span: 2,
                  children: attempt.response_body ? (
                    <JsonBlock value={prettyBody(attempt.response_body)} label={`Response body of attempt ${attempt.attempt}`} maxHeight={160} />
                  ) : (
                    '—'
                  ),
                },
              ]}
            />
          </Card>
        </li>
      ))}
    </ol>
  );
}

function prettyBody(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}
