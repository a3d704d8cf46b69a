'use client';
/** The page's frame: the header with the connection, the offline banner, the token prompt and the organism picker. */
import { errorMessage, type ApiClient } from '@/lib/api';
import { useAccessToken } from '@/lib/query/useAccessToken';
import { useOrganisms } from '@/lib/query/useBackend';
import { useConnection, useStatus } from '@/lib/query/useStatus';
import { useTransport } from '@/lib/query/useEventStream';
import { ConnectionBanner, ConnectionIndicator } from './ConnectionIndicator';
import { OrganismsPanel } from './OrganismsPanel';
import { TokenPanel } from './TokenPanel';

/** The header; its status query is the page's one-second status poll, which the connection follows. */
export function Header({ api }: { api: ApiClient }) {
  const { data: status } = useStatus(api, { poll: true });
  const { connection, lastContactAt } = useConnection(api);
  const transport = useTransport(api);
  return (
    <header className="flex flex-wrap items-center justify-between gap-3 border-b border-edge pb-3">
      <div className="min-w-0">
        <h1 className="text-lg font-bold tracking-[0.3em] text-phosphor glow sm:text-xl">
          OUROBOROS <span className="text-muted">{'//'}</span> GOD VIEW
        </h1>
        <p className="truncate text-xs text-muted">
          {status ? `organism ${status.organism} · ` : ''}api {api.baseUrl}
        </p>
      </div>
      <ConnectionIndicator connection={connection} lastContactAt={lastContactAt} transport={transport.mode} streamError={transport.error} />
    </header>
  );
}

export function ConnectionWidget({ api }: { api: ApiClient }) {
  const { connection, lastContactAt, connectionError } = useConnection(api);
  return <ConnectionBanner connection={connection} apiUrl={api.baseUrl} lastContactAt={lastContactAt} error={connectionError} />;
}

export function TokenWidget({ api }: { api: ApiClient }) {
  const { unauthorized } = useConnection(api);
  const token = useAccessToken(unauthorized);
  return <TokenPanel needed={token.needed} stored={token.stored} onSave={token.save} onForget={token.forget} />;
}

export function OrganismsWidget({ api, selected, onSelect }: { api: ApiClient; selected: string | null; onSelect: (name: string) => void }) {
  const organisms = useOrganisms(api);
  return <OrganismsPanel organisms={organisms.data ?? null} selected={selected} onSelect={onSelect} error={organisms.error ? errorMessage(organisms.error) : undefined} />;
}
