import { Dashboard } from '@/ui/Dashboard';

export default function Page() {
  return <Dashboard />;
}
