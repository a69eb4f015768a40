// Package cloudfront issues and verifies Amazon CloudFront signed URLs and
// signed cookies, so that a CloudFront distribution in front of the
// processed-media bucket can serve kinema's media to authorised viewers.
//
// Signing goes through the AWS SDK (feature/cloudfront/sign) so the output
// is exactly what CloudFront expects. Verification is implemented here from
// the documented format, independently of the SDK, so tests can cross-check
// the two and kinema (or a test double of the edge) can check CloudFront
// credentials itself:
//
//   - A policy is JSON: {"Statement":[{"Resource":R,"Condition":{...}}]}
//     with one statement. A canned policy is the fixed form
//     {"Statement":[{"Resource":URL,"Condition":{"DateLessThan":{"AWS:EpochTime":N}}}]}
//     with no whitespace; it is never sent, only its expiry (Expires=N), and
//     the verifier rebuilds it from the requested URL. A custom policy is
//     sent (Policy=...) and may use the wildcards '*' and '?' in Resource,
//     DateGreaterThan and IpAddress.AWS:SourceIp.
//   - The signature is RSA PKCS#1 v1.5 with SHA-1 over the policy JSON.
//   - Policy and signature are base64 with '+' '=' '/' replaced by '-' '_'
//     '~' so they are safe in URLs and cookies.
//   - URLs carry Expires or Policy, plus Signature and Key-Pair-Id; cookies
//     are CloudFront-Expires or CloudFront-Policy, plus CloudFront-Signature
//     and CloudFront-Key-Pair-Id.
//
// See https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-signed-urls.html
// and ...-signed-cookies.html.
package cloudfront
