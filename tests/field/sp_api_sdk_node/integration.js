// A small SP-API integration on @sp-api-sdk/*, written as the packages' READMEs show.
//
// - Credentials: SellingPartnerApiAuth reads LWA_CLIENT_ID, LWA_CLIENT_SECRET and
//   LWA_REFRESH_TOKEN from the environment when they are not passed (auth README).
// - Regions: each client takes region 'na' | 'eu' | 'fe'; the marketplace's region comes from
//   @bizon/amazon-ids, as @sp-api-sdk/common's README does (getMarketplaceByCode).
// - Rate limiting: `rateLimiting: {retry: true}`, the README's way to retry 429s.
// - Logging: the README's request/response/error loggers, on stderr (stdout is the CLI's result).
// - PII: a Restricted Data Token for getOrders with dataElements ["shippingAddress"] (the Tokens
//   API use-case guide's bulk pattern), passed to an OrdersApiClient as `restrictedDataToken`.
// Nothing here knows about ACORN.

import process from 'node:process'
import {getMarketplaceById} from '@bizon/amazon-ids'
import {SellingPartnerApiAuth} from '@sp-api-sdk/auth'
import {ListingsItemsApiClient} from '@sp-api-sdk/listings-items-api-2021-08-01'
import {OrdersApiClient} from '@sp-api-sdk/orders-api-v0'
import {TokensApiClient} from '@sp-api-sdk/tokens-api-2021-03-01'

const logging = {
  request: {logger: console.error},
  response: {logger: console.error},
  error: true,
}
const rateLimiting = {retry: true}

export class Integration {
  constructor() {
    // clientId, clientSecret and refreshToken default to the LWA_* environment variables.
    this.auth = new SellingPartnerApiAuth({})
    this.sellerId = process.env.SPAPI_SELLER_ID
    this.clients = new Map()
  }

  regionOf(marketplaceId) {
    const marketplace = getMarketplaceById(marketplaceId)
    if (!marketplace) throw new Error(`unknown marketplace ${marketplaceId}`)
    return marketplace.region
  }

  client(Client, marketplaceId, extra = {}) {
    const region = this.regionOf(marketplaceId)
    const key = `${Client.name}/${region}/${extra.restrictedDataToken ?? ''}`
    if (!this.clients.has(key)) {
      this.clients.set(key, new Client({auth: this.auth, region, rateLimiting, logging, ...extra}))
    }
    return this.clients.get(key)
  }

  async ordersWithAddresses(marketplaceId, createdAfter) {
    const tokens = this.client(TokensApiClient, marketplaceId)
    const {data: rdt} = await tokens.createRestrictedDataToken({
      body: {
        restrictedResources: [{method: 'GET', path: '/orders/v0/orders', dataElements: ['shippingAddress']}],
      },
    })
    const orders = this.client(OrdersApiClient, marketplaceId, {restrictedDataToken: rdt.restrictedDataToken})
    const found = []
    let nextToken
    do {
      const {data} = await orders.getOrders(
        nextToken ? {marketplaceIds: [marketplaceId], nextToken} : {marketplaceIds: [marketplaceId], createdAfter},
      )
      found.push(...(data.payload?.Orders ?? []))
      nextToken = data.payload?.NextToken
    } while (nextToken)
    return found
  }

  async orderItems(marketplaceId, orderId) {
    const orders = this.client(OrdersApiClient, marketplaceId)
    const items = []
    let nextToken
    do {
      const {data} = await orders.getOrderItems({orderId, nextToken})
      items.push(...(data.payload?.OrderItems ?? []))
      nextToken = data.payload?.NextToken
    } while (nextToken)
    return items
  }

  async confirmShipment(marketplaceId, orderId, packageDetail) {
    const orders = this.client(OrdersApiClient, marketplaceId)
    await orders.confirmShipment({orderId, payload: {marketplaceId, packageDetail}})
  }

  async putListing(marketplaceId, sku, productType, attributes) {
    const listings = this.client(ListingsItemsApiClient, marketplaceId)
    const {data} = await listings.putListingsItem({
      sellerId: this.sellerId,
      sku,
      marketplaceIds: [marketplaceId],
      body: {productType, requirements: 'LISTING', attributes},
    })
    return data
  }

  async patchListing(marketplaceId, sku, productType, patches) {
    const listings = this.client(ListingsItemsApiClient, marketplaceId)
    const {data} = await listings.patchListingsItem({
      sellerId: this.sellerId,
      sku,
      marketplaceIds: [marketplaceId],
      body: {productType, patches},
    })
    return data
  }

  async getListing(marketplaceId, sku) {
    const listings = this.client(ListingsItemsApiClient, marketplaceId)
    const {data} = await listings.getListingsItem({
      sellerId: this.sellerId,
      sku,
      marketplaceIds: [marketplaceId],
      includedData: ['summaries', 'issues'],
    })
    return data
  }
}
