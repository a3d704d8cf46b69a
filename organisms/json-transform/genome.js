'use strict';
// JSON transform organism, genome 0.
// Reads {"orders": [...]} as JSON on stdin, keeps the paid orders, groups them by region and prints one
// summary row per region, largest revenue first, as a JSON array on its last stdout line.

function readInput(callback) {
  const chunks = [];
  process.stdin.on('data', (chunk) => chunks.push(chunk));
  process.stdin.on('end', () => callback(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
}

function groupByRegion(orders) {
  const groups = new Map();
  for (const order of orders) {
    let group = groups.get(order.region);
    if (group === undefined) {
      group = { region: order.region, orders: 0, units: 0, revenueCents: 0, skuUnits: new Map() };
      groups.set(order.region, group);
    }
    group.orders += 1;
    for (const item of order.items) {
      group.units += item.qty;
      group.revenueCents += item.qty * item.priceCents;
      group.skuUnits.set(item.sku, (group.skuUnits.get(item.sku) || 0) + item.qty);
    }
  }
  return groups;
}

function topSku(skuUnits) {
  let best = null;
  let bestUnits = 0;
  for (const [sku, units] of skuUnits) {
    if (units > bestUnits || (units === bestUnits && sku < best)) {
      best = sku;
      bestUnits = units;
    }
  }
  return best;
}

function summarize(orders) {
  const paid = orders.filter((order) => order.status === 'paid');
  const rows = [];
  for (const group of groupByRegion(paid).values()) {
    const avgOrderCents = Math.round(group.revenueCents / group.orders);
    rows.push({ region: group.region, orders: group.orders, units: group.units, revenueCents: group.revenueCents, avgOrderCents, topSku: topSku(group.skuUnits) });
  }
  rows.sort((a, b) => b.revenueCents - a.revenueCents || (a.region < b.region ? -1 : 1));
  return { rows, paid: paid.length };
}

readInput((input) => {
  const started = process.hrtime.bigint();
  const result = summarize(input.orders);
  const micros = (process.hrtime.bigint() - started) / 1000n;
  console.log(`summarized ${result.paid} of ${input.orders.length} orders into ${result.rows.length} regions (${micros} us)`);
  console.log(JSON.stringify(result.rows));
});
