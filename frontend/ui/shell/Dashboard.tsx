'use client';

import { useCallback, useEffect, useMemo, useState } from 'react';
import { createApiClient, type ApiClient } from '@/lib/api';
import { QueryProvider } from '@/lib/query/provider';
import { ChaosWidget } from '@/ui/chaos/ChaosWidget';
import { EvolutionPanel } from '@/ui/evolution/EvolutionPanel';
import { AlertsWidget } from '@/ui/operators/AlertsPanel';
import { AuditWidget } from '@/ui/operators/AuditPanel';
import { ProposalsWidget } from '@/ui/proposals/ProposalsWidget';
import { DiffWidget, HistoryWidget } from '@/ui/history/HistoryWidgets';
import { TerminalWidget } from '@/ui/terminal/TerminalWidget';
import { ImmuneWidget, RunsChartWidget, StatsWidget, VitalsWidget } from '@/ui/vitals/VitalsWidgets';
import { ConnectionWidget, Header, OrganismsWidget, TokenWidget } from './ShellWidgets';
import { useLive } from '@/lib/query/useStatus';
import { useEventStream } from '@/lib/query/useEventStream';

/**
 * The God View's layout. Every widget asks for its own data (lib/query), so each one loads, fails and retries on
 * its own; the page holds only what the reader chose: the organism in view and the generation picked.
 */
export function Dashboard({ api }: { api?: ApiClient }) {
  return (
    <QueryProvider>
      <Layout injected={api} />
    </QueryProvider>
  );
}

function Layout({ injected }: { injected: ApiClient | undefined }) {
  const root = useMemo(() => injected ?? createApiClient(), [injected]);
  // The organism in view: from ?organism= so a view can be shared, null for the backend's default.
  const [organism, setOrganism] = useState<string | null>(null);
  useEffect(() => {
    const fromUrl = new URLSearchParams(window.location.search).get('organism');
    if (fromUrl) setOrganism(fromUrl);
  }, []);
  const api = useMemo(() => root.forOrganism(organism), [root, organism]);
  // The generation shown in detail: the newest until the reader picks one.
  const [picked, setPicked] = useState<string | null>(null);

  const onPickOrganism = useCallback((name: string) => {
    setOrganism(name);
    setPicked(null);
    const url = new URL(window.location.href);
    url.searchParams.set('organism', name);
    window.history.replaceState(null, '', url);
  }, []);
  const live = useLive(api);
  // The organism in view is followed live; the page polls whenever the stream is not open.
  useEventStream(api);

  return (
    <div className="mx-auto flex w-full max-w-[1600px] flex-col gap-3 p-3 sm:p-4">
      <Header api={api} />
      <ConnectionWidget api={api} />
      <TokenWidget api={api} />
      <OrganismsWidget api={api} selected={organism} onSelect={onPickOrganism} />

      <main className="grid grid-cols-1 gap-3 lg:grid-cols-2 xl:grid-cols-12">
        <div className="xl:col-span-4">
          <VitalsWidget api={api} />
        </div>
        <div className="xl:col-span-4">
          <StatsWidget api={api} />
        </div>
        <div className="lg:col-span-2 xl:col-span-4">
          <ChaosWidget api={api} />
        </div>
        {/* A whole row, and no room at all while the widget has nothing to show (it renders nothing). */}
        <div className="empty:hidden lg:col-span-2 xl:col-span-12">
          <ProposalsWidget api={api} />
        </div>
        <div className="lg:col-span-2 xl:col-span-7">
          <RunsChartWidget api={api} />
        </div>
        <div className="lg:col-span-2 xl:col-span-5">
          <TerminalWidget api={api} />
        </div>
        <div className="xl:col-span-5">
          <HistoryWidget api={api} picked={picked} onSelect={setPicked} />
        </div>
        <div className="xl:col-span-7">
          <DiffWidget api={api} picked={picked} />
        </div>
        <div className="lg:col-span-2 xl:col-span-12">
          <ImmuneWidget api={api} />
        </div>
        <div className="lg:col-span-2 xl:col-span-12">
          <EvolutionPanel api={api} disabled={!live} />
        </div>
        <div className="lg:col-span-2 xl:col-span-7">
          <AuditWidget api={api} />
        </div>
        <div className="lg:col-span-2 xl:col-span-5">
          <AlertsWidget api={api} />
        </div>
      </main>
    </div>
  );
}

