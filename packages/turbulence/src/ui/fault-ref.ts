/**
 * The ledger fault behind an item of the dashboard's DNS and labs views, as `GET /api/dns` and `GET /api/labs`
 * send it. No imports: the dashboard's browser code (packages/dashboard/app) imports this type too.
 */
export interface FaultRef {
  id: string;
  kind: string;
  target: string;
  createdAt: string;
  expiresAt?: string;
}
