import { Button, Space, Typography } from 'antd';
import { useState } from 'react';

/** Page through a cursor-paginated list: the API only gives "next", so keep the cursors seen so far. */
export function useCursorPages(resetKey: string) {
  const [state, setState] = useState<{ key: string; cursors: Array<string | undefined> }>({
    key: resetKey,
    cursors: [undefined],
  });
  const cursors = state.key === resetKey ? state.cursors : [undefined];
  return {
    cursor: cursors[cursors.length - 1],
    pageNumber: cursors.length,
    next: (cursor: string) => setState({ key: resetKey, cursors: [...cursors, cursor] }),
    previous: () => setState({ key: resetKey, cursors: cursors.slice(0, -1) }),
  };
}

export function CursorPager(props: {
  pageNumber: number;
  nextCursor: string | null | undefined;
  onNext: (cursor: string) => void;
  onPrevious: () => void;
}) {
  const { pageNumber, nextCursor, onNext, onPrevious } = props;
  if (pageNumber === 1 && !nextCursor) return null;
  return (
    <Space className="pager" aria-label="Pagination">
      <Button onClick={onPrevious} disabled={pageNumber === 1}>
        Previous page
      </Button>
      <Typography.Text>Page {pageNumber}</Typography.Text>
      <Button onClick={() => nextCursor && onNext(nextCursor)} disabled={!nextCursor}>
        Next page
      </Button>
    </Space>
  );
}
