import { Dashboard } from '@/ui/shell/Dashboard';

export default function Page() {
  return <Dashboard />;
}
