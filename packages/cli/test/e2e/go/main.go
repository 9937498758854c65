// The AWS SDKs for Go v1 and v2 against a running cluster (go-sdk.ts builds
// this; api-surface.e2e.ts runs it per SDK, over http:// and https://): a
// stream's life through each SDK's own calls and waiters (sdk_v1.go,
// sdk_v2.go). With CA_PEM the endpoint is https:// and the client trusts
// that certificate; Go then speaks HTTP/2 (ALPN), which is checked. Prints
// a line per step; exits 1 at the first answer that is not what Kinesis
// gives.
//
//	go run . v1|v2 ENDPOINT [CA_PEM]
package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
)

func check(err error, what string) {
	if err != nil {
		fail("%s: %v", what, err)
	}
	fmt.Printf("ok   %s\n", what)
}

func fail(format string, args ...interface{}) {
	fmt.Printf("FAIL "+format+"\n", args...)
	os.Exit(1)
}

// A record as acknowledged: what reads and subscriptions must return, in order.
type put struct {
	seq  string
	data []byte
}

// Fails unless a subscription to shardID delivered exactly `want`, in order (seqs and data side by side).
func checkDelivered(shardID string, seqs []string, data [][]byte, want []put, streamErr error) {
	if len(seqs) != len(want) {
		fail("%s: subscription delivered %d of %d (%v)", shardID, len(seqs), len(want), streamErr)
	}
	for i := range seqs {
		if seqs[i] != want[i].seq || !bytes.Equal(data[i], want[i].data) {
			fail("%s: delivered record %d is %s", shardID, i, seqs[i])
		}
	}
	fmt.Printf("ok   %s: %d records by SubscribeToShard, in order\n", shardID, len(seqs))
}

// The HTTP client both SDKs use: Go's default transport, trusting caFile when given.
func httpClient(caFile string) *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		check(err, "read "+caFile)
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			fail("no certificate in %s", caFile)
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: roots}
	}
	return &http.Client{Transport: transport}
}

func main() {
	if len(os.Args) != 3 && len(os.Args) != 4 {
		fail("usage: kinesis-check v1|v2 ENDPOINT [CA_PEM]")
	}
	endpoint, caFile := os.Args[2], ""
	if len(os.Args) == 4 {
		caFile = os.Args[3]
	}
	client := httpClient(caFile)
	switch os.Args[1] {
	case "v1":
		runV1(endpoint, client)
	case "v2":
		runV2(endpoint, client)
	default:
		fail("unknown SDK %q", os.Args[1])
	}
	// The protocol the SDK's connections spoke: HTTP/2 over TLS (ALPN), HTTP/1.1 in the clear.
	res, err := client.Get(endpoint + "/healthz")
	check(err, "GET /healthz")
	res.Body.Close()
	if want := map[bool]string{true: "HTTP/2.0", false: "HTTP/1.1"}[caFile != ""]; res.Proto != want {
		fail("the connection spoke %s, not %s", res.Proto, want)
	}
	fmt.Printf("ok   spoke %s\n", res.Proto)
	fmt.Println("ALL OK")
}
