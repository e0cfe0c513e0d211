// Sends this process's calls to Amazon's LWA host to the LWA endpoint in the environment.
//
// Why this file exists: Amazon's JS SDK posts every token request to the hard-coded
// 'https://api.amazon.com/auth/o2/token' (src/<api>/ApiClient.js, LwaOAuthClient #doRefresh;
// helper/LwaAuthClient.mjs:82) and offers no option to change it. SP-API endpoints are not the
// problem: each ApiClient takes its base URL (README), so those calls go to ACORN directly.
// The SDK uses superagent, which ignores HTTPS_PROXY, and asks Node for a fresh agent on
// every request (superagent lib/node/index.js: options.agent = false), for which Node builds
// `new https.globalAgent.constructor()` (lib/_http_client.js). So the one place a process can
// reroute that host without editing the SDK is Node's global HTTPS agent: this file installs
// one whose connections to api.amazon.com go to SPAPI_LWA_TOKEN_URL's host and port over plain
// TCP (ACORN's loopback endpoints speak plain HTTP); every other host gets Node's usual TLS
// connection. No retry, timeout or header is added; a stall stays a stall, a close a close, a
// refused connection a refused connection.
//
// Without SPAPI_LWA_TOKEN_URL in the environment (production) it does nothing.

import https from 'node:https'
import net from 'node:net'
import process from 'node:process'

const LWA_HOST = 'api.amazon.com'
const LWA_PATH = '/auth/o2/token'

export function routeAmazonLwa(env = process.env) {
  if (!env.SPAPI_LWA_TOKEN_URL) return
  const url = new URL(env.SPAPI_LWA_TOKEN_URL)
  if (url.protocol !== 'http:' || url.pathname !== LWA_PATH) {
    throw new Error(`${url}: the SDK always posts to https://${LWA_HOST}${LWA_PATH}; only a plain-HTTP endpoint with that path can stand in for it`)
  }
  const target = {host: url.hostname, port: Number(url.port || 80)}

  class AmazonLwaAgent extends https.Agent {
    createConnection(options, callback) {
      if (options.host === LWA_HOST || options.servername === LWA_HOST) {
        return net.connect(target.port, target.host)
      }
      return super.createConnection(options, callback)
    }
  }

  https.globalAgent = new AmazonLwaAgent()
}
