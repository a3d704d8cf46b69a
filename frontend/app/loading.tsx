export default function Loading() {
  return (
    <main className="flex min-h-dvh items-center justify-center p-6">
      <p className="text-muted" role="status">
        Loading the God View<span className="animate-blink">_</span>
      </p>
    </main>
  );
}
