'use client';

import { useCallback, useEffect, useMemo, useState } from 'react';
import { createApiClient, needsToken, type ApiClient } from '@/lib/api';
import { forgetToken, readToken, saveToken } from '@/lib/token';
import { MAX_LOGS, useOuroboros } from '@/lib/useOuroboros';
import { ChaosPanel } from '@/ui/chaos/ChaosPanel';
import { ConnectionBanner, ConnectionIndicator } from './ConnectionIndicator';
import { DiffPanel, type DiffSelection } from '@/ui/history/DiffPanel';
import { EvolutionPanel } from '@/ui/evolution/EvolutionPanel';
import { ExecutionChart } from '@/ui/vitals/ExecutionChart';
import { HistoryPanel } from '@/ui/history/HistoryPanel';
import { ImmunePanel } from '@/ui/vitals/ImmunePanel';
import { OrganismsPanel } from './OrganismsPanel';
import { StatsPanel } from '@/ui/vitals/StatsPanel';
import { TerminalPanel } from '@/ui/terminal/TerminalPanel';
import { TokenPanel } from './TokenPanel';
import { VitalsPanel } from '@/ui/vitals/VitalsPanel';

/** The God View: one poller, every panel. */
export function Dashboard({ api: injected }: { api?: ApiClient }) {
  const root = useMemo(() => injected ?? createApiClient(), [injected]);
  // The organism in view: from ?organism= so a view can be shared, null for the backend's default.
  const [organism, setOrganism] = useState<string | null>(null);
  useEffect(() => {
    const fromUrl = new URLSearchParams(window.location.search).get('organism');
    if (fromUrl) setOrganism(fromUrl);
  }, []);
  const api = useMemo(() => root.forOrganism(organism), [root, organism]);
  const live = useOuroboros(api);
  const connected = live.connection === 'connected';
  const stale = live.status !== null && !connected;

  // Selection: follow the newest generation until the reader picks one.
  const [picked, setPicked] = useState<string | null>(null);
  const newestId = live.genomes?.[0]?.id ?? null;
  const selectedId = picked ?? newestId;

  const onPickOrganism = useCallback((name: string) => {
    setOrganism(name);
    setPicked(null);
    const url = new URL(window.location.href);
    url.searchParams.set('organism', name);
    window.history.replaceState(null, '', url);
  }, []);

  // The poller fetches the selected genome's detail (and keeps asking until it arrives).
  const { select } = live;
  useEffect(() => select(selectedId), [select, selectedId]);
  const shown = live.selection.id === selectedId ? live.selection : { id: selectedId, detail: null, error: null };
  const selection: DiffSelection = { ...shown, loading: shown.detail === null && shown.error === null };

  const { refresh } = live;
  // Asked for once, when the backend first answers 401; kept in sessionStorage for this tab.
  const [refusedToken, setRefusedToken] = useState(false);
  const [hasToken, setHasToken] = useState(false);
  useEffect(() => setHasToken(readToken() !== null), []);
  const act = useCallback(
    async <T,>(action: () => Promise<T>): Promise<T> => {
      try {
        return await action();
      } catch (e) {
        if (needsToken(e)) setRefusedToken(true);
        throw e;
      } finally {
        refresh();
      }
    },
    [refresh],
  );
  const onTrigger = useCallback((type: string) => act(() => api.triggerChaos(type)), [act, api]);
  const onRollback = useCallback((id: string) => act(() => api.rollback(id)), [act, api]);
  const onSaveToken = useCallback(
    (token: string) => {
      saveToken(token);
      setHasToken(true);
      setRefusedToken(false);
      refresh();
    },
    [refresh],
  );
  const onForgetToken = useCallback(() => {
    forgetToken();
    setHasToken(false);
  }, []);
  const onSelect = useCallback((id: string) => setPicked(id), []);

  const status = live.status;
  return (
    <div className="mx-auto flex w-full max-w-[1600px] flex-col gap-3 p-3 sm:p-4">
      <header className="flex flex-wrap items-center justify-between gap-3 border-b border-edge pb-3">
        <div className="min-w-0">
          <h1 className="text-lg font-bold tracking-[0.3em] text-phosphor glow sm:text-xl">
            OUROBOROS <span className="text-muted">{'//'}</span> GOD VIEW
          </h1>
          <p className="truncate text-xs text-muted">
            {status ? `organism ${status.organism} · ` : ''}api {api.baseUrl}
          </p>
        </div>
        <ConnectionIndicator connection={live.connection} lastContactAt={live.lastContactAt} />
      </header>

      <ConnectionBanner
        connection={live.connection}
        apiUrl={api.baseUrl}
        lastContactAt={live.lastContactAt}
        error={live.connectionError}
      />

      <TokenPanel needed={refusedToken || live.unauthorized} stored={hasToken} onSave={onSaveToken} onForget={onForgetToken} />

      <OrganismsPanel
        organisms={live.organisms}
        selected={organism}
        onSelect={onPickOrganism}
        error={live.errors.organisms}
      />

      <main className="grid grid-cols-1 gap-3 lg:grid-cols-2 xl:grid-cols-12">
        <div className="xl:col-span-4">
          <VitalsPanel status={status} stale={stale} error={live.errors.status} />
        </div>
        <div className="xl:col-span-4">
          <StatsPanel stats={status?.stats ?? null} uptimeS={status?.uptimeS ?? null} stale={stale} error={live.errors.status} />
        </div>
        <div className="lg:col-span-2 xl:col-span-4">
          <ChaosPanel
            types={live.chaosTypes}
            error={live.errors.chaosTypes}
            disabled={!connected}
            disabledReason="Chaos needs a live backend; waiting for it to answer."
            onTrigger={onTrigger}
          />
        </div>
        <div className="lg:col-span-2 xl:col-span-7">
          <ExecutionChart runs={live.runs} p95Ms={status?.stats.p95Ms ?? null} error={live.errors.runs} />
        </div>
        <div className="lg:col-span-2 xl:col-span-5">
          <TerminalPanel entries={live.logs} max={MAX_LOGS} error={live.errors.logs} />
        </div>
        <div className="xl:col-span-5">
          <HistoryPanel
            genomes={live.genomes}
            total={live.genomesTotal}
            selectedId={selectedId}
            onSelect={onSelect}
            onRollback={onRollback}
            error={live.errors.genomes}
            disabled={!connected}
          />
        </div>
        <div className="xl:col-span-7">
          <DiffPanel selection={selection} />
        </div>
        <div className="lg:col-span-2 xl:col-span-12">
          <ImmunePanel api={api} fingerprint={status?.verification?.suite.fingerprint ?? null} />
        </div>
        <div className="lg:col-span-2 xl:col-span-12">
          <EvolutionPanel api={api} act={act} disabled={!connected} />
        </div>
      </main>
    </div>
  );
}
