/**
 * HTML pages the edge network in front of HubSpot (or a proxy on the way) serves instead of the API's JSON. They
 * are written once here; the faults and the URL-length check send them.
 */

/** The edge's page when the origin did not answer within 100 s (contract §1.6: pause and retry). */
export const ORIGIN_TIMEOUT_HTML =
  '<!DOCTYPE html><html><head><title>api.hubapi.com | 524: A timeout occurred</title></head><body><h1>A timeout occurred</h1><p>Error code 524</p></body></html>';

/**
 * Pages an edge network or a corporate proxy serves with status 200 instead of the API's JSON (contract §6.3): a
 * bot challenge and a maintenance page. A client that does not check the body's shape reads either as an empty page.
 */
export const EDGE_PAGES_200: Record<'challenge' | 'maintenance', string> = {
  challenge:
    '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title><meta http-equiv="refresh" content="390"></head>' +
    '<body><div class="main-wrapper"><h1>api.hubapi.com</h1><h2>Checking if the site connection is secure</h2>' +
    '<p>api.hubapi.com needs to review the security of your connection before proceeding.</p><noscript>Enable JavaScript and cookies to continue</noscript></div></body></html>',
  maintenance:
    '<!DOCTYPE html><html><head><title>Scheduled maintenance</title></head><body><h1>We&rsquo;ll be right back</h1>' +
    '<p>This service is undergoing scheduled maintenance. Please try again in a few minutes.</p></body></html>',
};

/**
 * What an edge in front of HubSpot answers to a request line longer than it accepts (contract §6.1): 414 with an
 * HTML page, not HubSpot's JSON. The request never reaches HubSpot.
 */
export const URI_TOO_LONG_HTML =
  '<html>\r\n<head><title>414 Request-URI Too Large</title></head>\r\n<body>\r\n<center><h1>414 Request-URI Too Large</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n';
