import { App, Switch } from 'antd';
import { errorMessage } from '../api/client';
import type { Webhook } from '../api/types';
import { useSetEnabled } from '../api/webhooks';
import { useAccess } from '../access';

/** Disables or enables the webhook at once; the row's status follows from the API's answer. */
export function EnableToggle({ webhook }: { webhook: Webhook }) {
  const { message } = App.useApp();
  const setEnabled = useSetEnabled();
  const { canWrite } = useAccess();
  if (!canWrite) return <span className="enable-text">{webhook.enabled ? 'On' : 'Off'}</span>;
  const checked = setEnabled.isPending ? Boolean(setEnabled.variables?.enabled) : webhook.enabled;
  return (
    <Switch
      aria-label={`Enable ${webhook.name}`}
      checked={checked}
      loading={setEnabled.isPending}
      onChange={(enabled) =>
        setEnabled.mutate(
          { id: webhook.id, enabled },
          { onError: (error) => message.error(`Could not ${enabled ? 'enable' : 'disable'} ${webhook.name}: ${errorMessage(error)}`) },
        )
      }
    />
  );
}
