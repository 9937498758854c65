// The AWS SDKs for Go v1 and v2 against a running cluster (go-sdk.e2e.ts
// builds this and runs it once per SDK): a stream's life through each SDK's
// own calls and waiters (sdk_v1.go, sdk_v2.go). Prints a line per step;
// exits 1 at the first answer that is not what Kinesis gives.
//
//	go run . v1|v2 ENDPOINT
package main

import (
	"bytes"
	"fmt"
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

func main() {
	if len(os.Args) != 3 {
		fail("usage: kinesis-check v1|v2 ENDPOINT")
	}
	switch os.Args[1] {
	case "v1":
		runV1(os.Args[2])
	case "v2":
		runV2(os.Args[2])
	default:
		fail("unknown SDK %q", os.Args[1])
	}
	fmt.Println("ALL OK")
}
