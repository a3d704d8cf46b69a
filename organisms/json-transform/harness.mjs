// Input generator and oracle for the json-transform organism. Trusted code: chaos never touches it.

const REGIONS = ['north', 'south', 'east', 'west', 'central', 'islands', 'overseas'];
const STATUSES = ['paid', 'paid', 'paid', 'refunded', 'pending'];
const FIELDS = ['region', 'orders', 'units', 'revenueCents', 'avgOrderCents', 'topSku'];

/**
 * A batch of orders: each with an id, a region, a status and one to maxItems line items (sku, qty, priceCents).
 * @param {{ int(min: number, max: number): number, pick<T>(items: T[]): T }} rng seeded generator supplied by the watcher
 * @param {{ minOrders: number, maxOrders: number, maxItems: number, skus: number }} params the manifest's "input" block
 */
export function generateInput(rng, params) {
  const regions = REGIONS.slice(0, rng.int(3, REGIONS.length));
  const count = rng.int(params.minOrders, params.maxOrders);
  const orders = [];
  for (let i = 0; i < count; i++) {
    const items = [];
    const lines = rng.int(1, params.maxItems);
    for (let j = 0; j < lines; j++) {
      const sku = `SKU-${String(rng.int(1, params.skus)).padStart(3, '0')}`;
      items.push({ sku, qty: rng.int(1, 9), priceCents: rng.int(99, 49_999) });
    }
    orders.push({ id: `o-${i + 1}`, region: rng.pick(regions), status: rng.pick(STATUSES), items });
  }
  return { orders };
}

/** The reference: written apart from the genome (plain objects, reduce, a sort of the sku counts). */
export function reference(input) {
  const byRegion = {};
  for (const order of input.orders) {
    if (order.status !== 'paid') continue;
    const g = (byRegion[order.region] ??= { orders: 0, units: 0, revenueCents: 0, skus: {} });
    g.orders++;
    g.units += order.items.reduce((sum, item) => sum + item.qty, 0);
    g.revenueCents += order.items.reduce((sum, item) => sum + item.qty * item.priceCents, 0);
    for (const item of order.items) g.skus[item.sku] = (g.skus[item.sku] ?? 0) + item.qty;
  }
  return Object.entries(byRegion)
    .map(([region, g]) => {
      const [top] = Object.entries(g.skus).sort(([a, ua], [b, ub]) => ub - ua || (a < b ? -1 : a > b ? 1 : 0));
      return {
        region,
        orders: g.orders,
        units: g.units,
        revenueCents: g.revenueCents,
        avgOrderCents: Math.round(g.revenueCents / g.orders),
        topSku: top[0],
      };
    })
    .sort((a, b) => b.revenueCents - a.revenueCents || (a.region < b.region ? -1 : a.region > b.region ? 1 : 0));
}

/**
 * The answer must equal the reference exactly: the same rows, in the same order, with the same six fields.
 * @returns {{ ok: true } | { ok: false, reason: string }}
 */
export function judge(input, answer) {
  if (!Array.isArray(answer)) return { ok: false, reason: `expected a JSON array of rows, got ${answer === null ? 'null' : typeof answer}` };
  const expected = reference(input);
  for (let i = 0; i < Math.min(answer.length, expected.length); i++) {
    const row = answer[i];
    if (row === null || typeof row !== 'object' || Array.isArray(row)) return { ok: false, reason: `row ${i} is not an object` };
    const keys = Object.keys(row).sort().join(',');
    if (keys !== [...FIELDS].sort().join(',')) return { ok: false, reason: `row ${i} has fields ${keys}; expected ${FIELDS.join(', ')}` };
    for (const field of FIELDS) {
      if (row[field] !== expected[i][field]) {
        return { ok: false, reason: `row ${i} (${expected[i].region}): ${field} should be ${JSON.stringify(expected[i][field])}, got ${JSON.stringify(row[field])}` };
      }
    }
  }
  if (answer.length !== expected.length) {
    return { ok: false, reason: `expected ${expected.length} region rows, got ${answer.length}` };
  }
  return { ok: true };
}

/**
 * The fitness benchmark: a fixed list of batches. The edge cases (no orders, nothing paid, one order, ties in
 * revenue and in the top sku) gate correctness only; the large batches (`timed`), far larger than a normal run's,
 * are also timed.
 * @param {{ int(min: number, max: number): number, pick<T>(items: T[]): T, next(): number }} rng seeded generator (the manifest's fitness.seed)
 * @param {{ orders?: number[], maxItems?: number, skus?: number }} params the manifest's "fitness.benchmark" block
 * @returns {{ name: string, input: { orders: object[] }, timed?: boolean }[]}
 */
export function benchmarkInputs(rng, params) {
  const item = (sku, qty, priceCents) => ({ sku, qty, priceCents });
  const order = (id, region, status, items) => ({ id, region, status, items });
  const inputs = [
    { name: 'no orders', input: { orders: [] } },
    { name: 'nothing paid', input: { orders: [order('o-1', 'north', 'refunded', [item('SKU-001', 1, 100)]), order('o-2', 'south', 'pending', [item('SKU-002', 2, 200)])] } },
    { name: 'one order', input: { orders: [order('o-1', 'east', 'paid', [item('SKU-007', 3, 999)])] } },
    {
      name: 'a tie in revenue (region order) and in the top sku (alphabetical)',
      input: {
        orders: [
          order('o-1', 'west', 'paid', [item('SKU-002', 2, 500), item('SKU-001', 2, 500)]),
          order('o-2', 'east', 'paid', [item('SKU-001', 4, 500)]),
          order('o-3', 'east', 'refunded', [item('SKU-009', 9, 9999)]),
        ],
      },
    },
    {
      name: 'an average that rounds half up',
      input: { orders: [order('o-1', 'north', 'paid', [item('SKU-001', 1, 1)]), order('o-2', 'north', 'paid', [item('SKU-001', 1, 2)])] },
    },
  ];
  const maxItems = params.maxItems ?? 4;
  const skus = params.skus ?? 40;
  for (const n of params.orders ?? [5000]) {
    inputs.push({ name: `${n} orders`, input: generateInput(rng, { minOrders: n, maxOrders: n, maxItems, skus }), timed: true });
  }
  return inputs;
}

/**
 * The inputs the contract covers: orders with an id, a region and a status, each with at least one line item of a sku,
 * a quantity of at least 1 and a price of at least 0 cents. A shrunk counterexample must stay one of them.
 */
export function validInput(input) {
  const text = (v) => typeof v === 'string' && v.length > 0;
  const item = (i) => i !== null && typeof i === 'object' && text(i.sku) && Number.isSafeInteger(i.qty) && i.qty >= 1 && Number.isSafeInteger(i.priceCents) && i.priceCents >= 0;
  const order = (o) =>
    o !== null && typeof o === 'object' && text(o.id) && text(o.region) && ['paid', 'refunded', 'pending'].includes(o.status) && Array.isArray(o.items) && o.items.length > 0 && o.items.every(item);
  return input !== null && typeof input === 'object' && Array.isArray(input.orders) && input.orders.every(order);
}
