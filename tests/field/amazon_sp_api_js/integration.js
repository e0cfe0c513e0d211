// A small SP-API integration on Amazon's JavaScript SDK, written as its README and
// sample-node-app show.
//
// - One ApiClient per API and region, built on the region's endpoint
//   (`new OrdersSpApi.ApiClient(AppConfig.spApiNAEndpoint)` in the README), with
//   `enableAutoRetrievalAccessToken(clientId, clientSecret, refreshToken)`.
// - PII: an ApiClient with `enableAutoRetrievalRestrictedDataToken(..., ['shippingAddress'])`
//   (README: "for some APIs, you will need extra step to get RDT Token") for getOrders.
// - Rate limiting: the SDK's default limiter (on by default); on its "Rate limit" error, the
//   sample app's retry (getOrdersWithRateLimiterAndRetry: 3 attempts, 5 s apart).
// - Configuration in the environment: LWA_CLIENT_ID, LWA_CLIENT_SECRET, LWA_REFRESH_TOKEN,
//   SPAPI_SELLER_ID, SPAPI_ENDPOINT_NA/EU/FE (Amazon's endpoints when unset).
// Nothing here knows about ACORN.

import process from 'node:process'
import {ListingsitemsSpApi, OrdersSpApi} from '@amazon-sp-api-release/amazon-sp-api-sdk-js'

const ENDPOINTS = {
  NA: process.env.SPAPI_ENDPOINT_NA ?? 'https://sellingpartnerapi-na.amazon.com',
  EU: process.env.SPAPI_ENDPOINT_EU ?? 'https://sellingpartnerapi-eu.amazon.com',
  FE: process.env.SPAPI_ENDPOINT_FE ?? 'https://sellingpartnerapi-fe.amazon.com',
}

// Marketplace ids per region, from Amazon's "Marketplace IDs" page.
const REGIONS = {
  NA: ['A2EUQ1WTGCTBG2', 'ATVPDKIKX0DER', 'A1AM78C64UM0Y8', 'A2Q3Y263D00KWC'],
  EU: [
    'A28R8C7NBKEWEA', 'A1RKKUPIHCS9HS', 'A1F83G8C2ARO7P', 'A13V1IB3VIYZZH', 'AMEN7PMS3EDWL',
    'A1805IZSGTT6HS', 'A1PA6795UKMFR9', 'APJ6JRA9NG5V4', 'A2NODRKZP88ZB9', 'AE08WJ6YKNBMC',
    'A1C3SOZRARQ6R3', 'ARBP9OOSHTCHU', 'A33AVAJ2PDY3EV', 'A17E79C6D8DWNP', 'A2VIGQ35RCS4UG',
    'A21TJRUUN4KGV',
  ],
  FE: ['A19VAU5U5O7RUS', 'A39IBJ37TRP1C6', 'A1VC38T7YXB528'],
}

function regionOf(marketplaceId) {
  const region = Object.keys(REGIONS).find((r) => REGIONS[r].includes(marketplaceId))
  if (!region) throw new Error(`unknown marketplace ${marketplaceId}`)
  return region
}

// The sample app's retry: only the SDK's own rate-limiter error is retried.
async function withRateLimiterRetry(call, retryCount = 3) {
  for (let attempt = 1; attempt <= retryCount; attempt++) {
    try {
      return await call()
    } catch (error) {
      const isRateLimit = String(error.message).includes('Rate limit')
      if (isRateLimit && attempt !== retryCount) {
        await new Promise((resolve) => setTimeout(resolve, 5000))
        continue
      }
      throw error
    }
  }
}

export class Integration {
  constructor() {
    this.credentials = [process.env.LWA_CLIENT_ID, process.env.LWA_CLIENT_SECRET, process.env.LWA_REFRESH_TOKEN]
    this.sellerId = process.env.SPAPI_SELLER_ID
    this.apis = new Map()
  }

  api(kind, marketplaceId) {
    const region = regionOf(marketplaceId)
    const key = `${kind}/${region}`
    if (!this.apis.has(key)) {
      const endpoint = ENDPOINTS[region]
      if (kind === 'listings') {
        const client = new ListingsitemsSpApi.ApiClient(endpoint)
        client.enableAutoRetrievalAccessToken(...this.credentials)
        this.apis.set(key, new ListingsitemsSpApi.ListingsApi(client))
      } else if (kind === 'ordersPii') {
        const client = new OrdersSpApi.ApiClient(endpoint)
        client.enableAutoRetrievalRestrictedDataToken(...this.credentials, ['shippingAddress'])
        this.apis.set(key, new OrdersSpApi.OrdersV0Api(client))
      } else {
        const client = new OrdersSpApi.ApiClient(endpoint)
        client.enableAutoRetrievalAccessToken(...this.credentials)
        this.apis.set(key, new OrdersSpApi.OrdersV0Api(client))
      }
    }
    return this.apis.get(key)
  }

  async ordersWithAddresses(marketplaceId, createdAfter) {
    const orders = this.api('ordersPii', marketplaceId)
    const found = []
    let nextToken
    do {
      const opts = nextToken ? {nextToken} : {createdAfter}
      const response = await withRateLimiterRetry(() => orders.getOrders([marketplaceId], opts))
      found.push(...(response.payload?.orders ?? []))
      nextToken = response.payload?.nextToken
    } while (nextToken)
    return found
  }

  async orderItems(marketplaceId, orderId) {
    const orders = this.api('orders', marketplaceId)
    const items = []
    let nextToken
    do {
      const response = await withRateLimiterRetry(() => orders.getOrderItems(orderId, nextToken ? {nextToken} : {}))
      items.push(...(response.payload?.orderItems ?? []))
      nextToken = response.payload?.nextToken
    } while (nextToken)
    return items
  }

  async confirmShipment(marketplaceId, orderId, packageDetail) {
    const orders = this.api('orders', marketplaceId)
    await withRateLimiterRetry(() => orders.confirmShipment(orderId, {marketplaceId, packageDetail}))
  }

  async putListing(marketplaceId, sku, productType, attributes) {
    const listings = this.api('listings', marketplaceId)
    const body = {productType, requirements: 'LISTING', attributes}
    return withRateLimiterRetry(() => listings.putListingsItem(this.sellerId, sku, [marketplaceId], body))
  }

  async patchListing(marketplaceId, sku, productType, patches) {
    const listings = this.api('listings', marketplaceId)
    return withRateLimiterRetry(() =>
      listings.patchListingsItem(this.sellerId, sku, [marketplaceId], {productType, patches}),
    )
  }

  async getListing(marketplaceId, sku) {
    const listings = this.api('listings', marketplaceId)
    return withRateLimiterRetry(() =>
      listings.getListingsItem(this.sellerId, sku, [marketplaceId], {includedData: ['summaries', 'issues']}),
    )
  }
}
