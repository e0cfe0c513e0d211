// Routes this process's HTTPS traffic for Amazon's hosts to the endpoints in the environment.
//
// Why this file exists: @sp-api-sdk/* hard-codes https://api.amazon.com/auth/ (auth
// dist/index.js:30) and https://sellingpartnerapi-{na,eu,fe}.amazon.com (common
// dist/index.js:9-22) and offers no option to change either. The only ways such a client
// reaches anything else without editing the library are the ones a corporate network uses:
// an HTTPS proxy (axios honours HTTPS_PROXY, tunnelling with CONNECT) whose certificate the
// process trusts (NODE_EXTRA_CA_CERTS=network/ca.pem, read by Node at start-up, hence set in
// the command line of acorn.toml).
//
// This is the network, not the integration: it adds no retry, timeout or header. Each
// CONNECT opens one TCP connection to the mapped endpoint and, after the TLS handshake the
// client expects, copies bytes both ways unchanged; a stall stays a stall, a close stays a
// close, and a refused upstream connection closes the tunnel before the TLS handshake. The
// request line and headers reach the endpoint as the library wrote them (the Host header
// still names the Amazon host).
//
// Without SPAPI_LWA_TOKEN_URL / SPAPI_ENDPOINT_* in the environment (production) it does nothing.

import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import process from 'node:process'
import tls from 'node:tls'
import {fileURLToPath} from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))

function hostMap(env) {
  const map = {}
  const add = (host, url, wantedPath) => {
    if (!url) return
    const u = new URL(url)
    if (wantedPath && u.pathname !== wantedPath) {
      throw new Error(`${url}: the library always calls ${wantedPath} on ${host}; a tunnel cannot change the path`)
    }
    if (u.protocol !== 'http:') throw new Error(`${url}: only a plain-HTTP endpoint can sit behind this tunnel`)
    map[host] = {host: u.hostname, port: Number(u.port || 80)}
  }
  add('api.amazon.com', env.SPAPI_LWA_TOKEN_URL, '/auth/o2/token')
  for (const region of ['na', 'eu', 'fe']) {
    add(`sellingpartnerapi-${region}.amazon.com`, env[`SPAPI_ENDPOINT_${region.toUpperCase()}`])
  }
  return map
}

/** Starts the tunnel if the environment names other endpoints; resolves when HTTPS_PROXY is set. */
export async function routeAmazonHosts(env = process.env) {
  const map = hostMap(env)
  if (Object.keys(map).length === 0) return
  const secureContext = tls.createSecureContext({
    cert: fs.readFileSync(path.join(here, 'hosts.pem')),
    key: fs.readFileSync(path.join(here, 'hosts-key.pem')),
  })
  const proxy = http.createServer((request, response) => {
    response.writeHead(405).end()
  })
  proxy.on('connect', (request, client, head) => {
    client.on('error', () => {})
    // A tunnel that cannot reach its endpoint (refused, unknown host) is established and then
    // closed before the TLS handshake: the client sees a connection error and no HTTP answer,
    // as it would connecting directly. (Closing it before answering CONNECT would hang
    // https-proxy-agent 5, which waits forever for a CONNECT answer; answering 502 would be
    // replayed to the library as an HTTP 502.)
    const unreachable = () => client.end('HTTP/1.1 200 Connection Established\r\n\r\n')
    const target = map[request.url.replace(/:443$/, '')]
    if (!target) {
      unreachable()
      return
    }
    const upstream = net.connect(target.port, target.host)
    upstream.once('error', unreachable)
    upstream.once('connect', () => {
      upstream.off('error', unreachable)
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length > 0) client.unshift(head)
      const decrypted = new tls.TLSSocket(client, {isServer: true, secureContext})
      decrypted.on('error', () => upstream.destroy())
      upstream.on('error', () => decrypted.destroy())
      decrypted.pipe(upstream)
      upstream.pipe(decrypted)
    })
  })
  await new Promise((resolve) => {
    proxy.listen(0, '127.0.0.1', resolve)
  })
  proxy.unref()
  const url = `http://127.0.0.1:${proxy.address().port}`
  process.env.HTTPS_PROXY = url
  process.env.https_proxy = url
  delete process.env.NO_PROXY
  delete process.env.no_proxy
}
