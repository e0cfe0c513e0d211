// Rename-only command glue for ACORN's command driver: `node glue.js <action>`, the action's
// arguments as JSON on stdin, its result as JSON on stdout (examples/README.md, "Drivers").
// It only renames: ACORN's arguments -> integration.js calls -> ACORN's result fields. No retry,
// no timeout, no token handling of its own; whatever the library throws ends the action and
// becomes {"ok": false, "errors": [{operation, status, request_id, message}]} with the
// library's own message.

import process from 'node:process'
import {routeAmazonHosts} from './network/amazon_hosts.js'
import {Integration} from './integration.js'

let operation = 'none'
const call = (name, fn) => {
  operation = name
  return fn()
}

const accepted = (data) => data.status === 'ACCEPTED'

const actions = {
  async sync_orders(it, {marketplace_ids: marketplaceIds, created_after: createdAfter}) {
    const orders = []
    for (const marketplaceId of marketplaceIds) {
      const found = await call('getOrders', () => it.ordersWithAddresses(marketplaceId, createdAfter))
      for (const order of found) {
        const items = await call('getOrderItems', () => it.orderItems(marketplaceId, order.AmazonOrderId))
        const address = order.ShippingAddress ?? {}
        orders.push({
          amazon_order_id: order.AmazonOrderId,
          marketplace_id: order.MarketplaceId,
          order_status: order.OrderStatus,
          items: items.map((item) => ({seller_sku: item.SellerSKU, quantity: item.QuantityOrdered})),
          ship_to: {
            name: address.Name,
            address_line1: address.AddressLine1,
            city: address.City,
            postal_code: address.PostalCode,
            country_code: address.CountryCode,
          },
        })
      }
    }
    return {ok: true, orders}
  },

  async publish_listing(it, {sku, product_type: productType, marketplace_ids: marketplaceIds, attributes}) {
    const submissions = []
    for (const marketplaceId of marketplaceIds) {
      const data = await call('putListingsItem', () => it.putListing(marketplaceId, sku, productType, attributes))
      submissions.push({
        marketplace_id: marketplaceId,
        status: data.status,
        submission_id: data.submissionId,
        issues: data.issues ?? [],
      })
    }
    return {ok: submissions.every(accepted), submissions}
  },

  async update_inventory(it, {sku, product_type: productType, marketplace_ids: marketplaceIds, quantity}) {
    const updated = []
    const answers = []
    for (const marketplaceId of marketplaceIds) {
      const patches = [
        {
          op: 'replace',
          path: '/attributes/fulfillment_availability',
          value: [{fulfillment_channel_code: 'DEFAULT', quantity}],
        },
      ]
      const data = await call('patchListingsItem', () => it.patchListing(marketplaceId, sku, productType, patches))
      answers.push(data)
      if (accepted(data)) updated.push(marketplaceId)
    }
    return {ok: answers.every(accepted), updated, issues: answers.flatMap((a) => a.issues ?? [])}
  },

  async update_price(it, {sku, product_type: productType, marketplace_id: marketplaceId, amount, currency}) {
    const patches = [
      {
        op: 'replace',
        path: '/attributes/purchasable_offer',
        value: [{marketplace_id: marketplaceId, currency, our_price: [{schedule: [{value_with_tax: Number(amount)}]}]}],
      },
    ]
    const data = await call('patchListingsItem', () => it.patchListing(marketplaceId, sku, productType, patches))
    return {ok: accepted(data), updated: accepted(data) ? [marketplaceId] : [], issues: data.issues ?? []}
  },

  async listing_status(it, {sku, marketplace_ids: marketplaceIds}) {
    const listings = []
    for (const marketplaceId of marketplaceIds) {
      const data = await call('getListingsItem', () => it.getListing(marketplaceId, sku))
      listings.push({
        marketplace_id: marketplaceId,
        status: (data.summaries ?? [])[0]?.status,
        issues: data.issues ?? [],
      })
    }
    const ok = listings.every((l) => !l.issues.some((i) => i.severity === 'ERROR'))
    return {ok, listings}
  },

  async confirm_shipment(it, args) {
    const {amazon_order_id: orderId, marketplace_id: marketplaceId} = args
    const items = await call('getOrderItems', () => it.orderItems(marketplaceId, orderId))
    const packageDetail = {
      packageReferenceId: args.package_reference_id,
      carrierCode: args.carrier_code,
      trackingNumber: args.tracking_number,
      shipDate: args.ship_date,
      orderItems: items.map((item) => ({orderItemId: item.OrderItemId, quantity: item.QuantityOrdered})),
    }
    await call('confirmShipment', () => it.confirmShipment(marketplaceId, orderId, packageDetail))
    return {ok: true, confirmed: [orderId]}
  },
}

function reported(error) {
  return {
    ok: false,
    errors: [
      {
        operation,
        status: error.response?.status ?? null,
        request_id: error.response?.headers?.['x-amzn-requestid'] ?? null,
        message: error.message,
      },
    ],
  }
}

async function readStdin() {
  let text = ''
  for await (const chunk of process.stdin) text += chunk
  return text.trim() ? JSON.parse(text) : {}
}

const action = actions[process.argv[2]]
if (!action) {
  process.stderr.write(`usage: node glue.js <${Object.keys(actions).join('|')}> < args.json\n`)
  process.exit(2)
}
const args = await readStdin()
await routeAmazonHosts()
let result
try {
  result = await action(new Integration(), args)
} catch (error) {
  result = reported(error)
}
result.errors ??= []
process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(result.ok ? 0 : 1))
