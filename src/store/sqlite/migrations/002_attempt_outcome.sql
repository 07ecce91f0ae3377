-- Each try's outcome (API.md §9). Rows from before are inferred from what they kept.
ALTER TABLE attempts ADD COLUMN outcome TEXT NOT NULL DEFAULT 'network_error';
UPDATE attempts SET outcome = CASE
    WHEN status_code BETWEEN 200 AND 299 THEN 'success'
    WHEN status_code IS NOT NULL THEN 'http_error'
    WHEN lower(error) LIKE '%timeout%' THEN 'timeout'
    WHEN lower(error) LIKE '%blocked%' THEN 'blocked'
    ELSE 'network_error'
  END
WHERE status_code IS NOT NULL OR lower(error) LIKE '%timeout%' OR lower(error) LIKE '%blocked%';
