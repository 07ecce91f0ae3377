import { prettyJson } from '../format';

/** Pretty-printed JSON in a scrollable, focusable block (keyboard users can scroll it). */
export function JsonBlock({ value, label, maxHeight }: { value: unknown; label: string; maxHeight?: number }) {
  return (
    <pre className="json-block" tabIndex={0} aria-label={label} style={maxHeight ? { maxHeight } : undefined}>
      {typeof value === 'string' ? value : prettyJson(value)}
    </pre>
  );
}
