// Through the AWS SDK for Go v1: waiters, duplicate names, records by
// sequence number, paged ListShards, consumers and SubscribeToShard, merge,
// encryption, the stream mode, deletion.
package main

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/request"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/kinesis"
)

func runV1(endpoint string, client *http.Client) {
	sess := session.Must(session.NewSession(&aws.Config{Endpoint: aws.String(endpoint), Region: aws.String("us-east-1"),
		Credentials: credentials.NewStaticCredentials("AKIDGOV1", "go-v1-secret", ""), HTTPClient: client}))
	c := kinesis.New(sess)
	name := fmt.Sprintf("go-v1-%d", time.Now().UnixNano())
	stream := aws.String(name)
	// The waiters poll every second (their default waits 10 s after a first CREATING answer).
	fast := request.WithWaiterDelay(request.ConstantWaiterDelay(time.Second))
	waitActive := func(what string) {
		check(c.WaitUntilStreamExistsWithContext(aws.BackgroundContext(), &kinesis.DescribeStreamInput{StreamName: stream}, fast), what)
	}

	_, err := c.CreateStream(&kinesis.CreateStreamInput{StreamName: stream, ShardCount: aws.Int64(2)})
	check(err, "CreateStream")
	waitActive("WaitUntilStreamExists")
	_, err = c.CreateStream(&kinesis.CreateStreamInput{StreamName: stream, ShardCount: aws.Int64(2)})
	if aerr, ok := err.(awserr.Error); !ok || aerr.Code() != kinesis.ErrCodeResourceInUseException {
		fail("CreateStream again: want ResourceInUseException, got %v", err)
	}
	fmt.Printf("ok   CreateStream again: %s\n", err.(awserr.Error).Message())
	ds, err := c.DescribeStream(&kinesis.DescribeStreamInput{StreamName: stream})
	check(err, "DescribeStream")
	arn := ds.StreamDescription.StreamARN
	shards := ds.StreamDescription.Shards
	if len(shards) != 2 || aws.BoolValue(ds.StreamDescription.HasMoreShards) {
		fail("DescribeStream shards %+v", ds.StreamDescription)
	}

	byShard := map[string][]put{}
	for i := 0; i < 20; i++ {
		data := []byte(fmt.Sprintf("v%d", i))
		pr, err := c.PutRecord(&kinesis.PutRecordInput{StreamName: stream, PartitionKey: aws.String(fmt.Sprintf("k%d", i)), Data: data})
		if err != nil {
			fail("PutRecord: %v", err)
		}
		byShard[*pr.ShardId] = append(byShard[*pr.ShardId], put{*pr.SequenceNumber, data})
	}
	fmt.Println("ok   20 PutRecord")
	for _, s := range shards {
		it, err := c.GetShardIterator(&kinesis.GetShardIteratorInput{StreamName: stream, ShardId: s.ShardId, ShardIteratorType: aws.String("AT_SEQUENCE_NUMBER"),
			StartingSequenceNumber: s.SequenceNumberRange.StartingSequenceNumber})
		check(err, "GetShardIterator AT_SEQUENCE_NUMBER "+*s.ShardId)
		gr, err := c.GetRecords(&kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int64(100)})
		check(err, "GetRecords "+*s.ShardId)
		want := byShard[*s.ShardId]
		if len(gr.Records) != len(want) {
			fail("%s: %d records of %d", *s.ShardId, len(gr.Records), len(want))
		}
		for i, r := range gr.Records {
			if *r.SequenceNumber != want[i].seq || !bytes.Equal(r.Data, want[i].data) {
				fail("%s record %d: %s", *s.ShardId, i, *r.SequenceNumber)
			}
		}
	}

	reg, err := c.RegisterStreamConsumer(&kinesis.RegisterStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String("go-v1")})
	check(err, "RegisterStreamConsumer")
	deadline := time.Now().Add(2 * time.Minute)
	for {
		d, err := c.DescribeStreamConsumer(&kinesis.DescribeStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String("go-v1")})
		if err != nil {
			fail("DescribeStreamConsumer: %v", err)
		}
		if *d.ConsumerDescription.ConsumerStatus == kinesis.ConsumerStatusActive {
			break
		}
		if time.Now().After(deadline) {
			fail("consumer not ACTIVE")
		}
		time.Sleep(250 * time.Millisecond)
	}
	fmt.Println("ok   consumer ACTIVE")
	for _, s := range shards {
		want := byShard[*s.ShardId]
		sub, err := c.SubscribeToShard(&kinesis.SubscribeToShardInput{ConsumerARN: reg.Consumer.ConsumerARN, ShardId: s.ShardId,
			StartingPosition: &kinesis.StartingPosition{Type: aws.String(kinesis.ShardIteratorTypeTrimHorizon)}})
		check(err, "SubscribeToShard "+*s.ShardId)
		events := sub.GetEventStream()
		got := []*kinesis.Record{}
		for ev := range events.Events() {
			e, ok := ev.(*kinesis.SubscribeToShardEvent)
			if !ok {
				fail("event %T", ev)
			}
			if e.MillisBehindLatest == nil || e.ContinuationSequenceNumber == nil {
				fail("event without MillisBehindLatest or ContinuationSequenceNumber")
			}
			got = append(got, e.Records...)
			if len(got) >= len(want) {
				break
			}
		}
		events.Close()
		seqs, data := []string{}, [][]byte{}
		for _, r := range got {
			seqs, data = append(seqs, *r.SequenceNumber), append(data, r.Data)
		}
		checkDelivered(*s.ShardId, seqs, data, want, events.Err())
	}

	first, err := c.ListShards(&kinesis.ListShardsInput{StreamName: stream, MaxResults: aws.Int64(1)})
	check(err, "ListShards MaxResults 1")
	rest, err := c.ListShards(&kinesis.ListShardsInput{NextToken: first.NextToken})
	check(err, "ListShards NextToken")
	if len(first.Shards) != 1 || len(rest.Shards) != 1 || rest.NextToken != nil {
		fail("pages of %d and %d shards", len(first.Shards), len(rest.Shards))
	}
	_, err = c.MergeShards(&kinesis.MergeShardsInput{StreamName: stream, ShardToMerge: shards[0].ShardId, AdjacentShardToMerge: shards[1].ShardId})
	check(err, "MergeShards")
	waitActive("ACTIVE after the merge")
	_, err = c.StartStreamEncryption(&kinesis.StartStreamEncryptionInput{StreamName: stream, EncryptionType: aws.String(kinesis.EncryptionTypeKms), KeyId: aws.String("alias/aws/kinesis")})
	check(err, "StartStreamEncryption")
	waitActive("ACTIVE after encryption")
	pr, err := c.PutRecord(&kinesis.PutRecordInput{StreamName: stream, PartitionKey: aws.String("x"), Data: []byte("secret")})
	check(err, "PutRecord to the encrypted stream")
	if aws.StringValue(pr.EncryptionType) != kinesis.EncryptionTypeKms {
		fail("EncryptionType %v", pr.EncryptionType)
	}
	_, err = c.UpdateStreamMode(&kinesis.UpdateStreamModeInput{StreamARN: arn, StreamModeDetails: &kinesis.StreamModeDetails{StreamMode: aws.String(kinesis.StreamModeOnDemand)}})
	check(err, "UpdateStreamMode")
	waitActive("ACTIVE after the mode change")
	sum, err := c.DescribeStreamSummary(&kinesis.DescribeStreamSummaryInput{StreamName: stream})
	check(err, "DescribeStreamSummary")
	if *sum.StreamDescriptionSummary.StreamModeDetails.StreamMode != kinesis.StreamModeOnDemand || *sum.StreamDescriptionSummary.EncryptionType != kinesis.EncryptionTypeKms {
		fail("summary %+v", sum.StreamDescriptionSummary)
	}
	_, err = c.DeleteStream(&kinesis.DeleteStreamInput{StreamName: stream, EnforceConsumerDeletion: aws.Bool(true)})
	check(err, "DeleteStream")
	check(c.WaitUntilStreamNotExistsWithContext(aws.BackgroundContext(), &kinesis.DescribeStreamInput{StreamName: stream}, fast), "WaitUntilStreamNotExists")
}
