// Through the AWS SDK for Go v2: records read back per shard, typed errors,
// tags, limits, retention, monitoring, consumers and SubscribeToShard, a
// split, deletion with and without EnforceConsumerDeletion.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

const waitMax = 120 * time.Second

func runV2(endpoint string, client *http.Client) {
	ctx := context.Background()
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDGOV2", "go-v2-secret", ""), HTTPClient: client}
	c := kinesis.NewFromConfig(cfg, func(o *kinesis.Options) { o.EndpointResolver = kinesis.EndpointResolverFromURL(endpoint) })
	name := fmt.Sprintf("go-v2-%d", time.Now().UnixNano())
	stream := aws.String(name)
	// The waiters poll every second (their default waits 10 s after a first CREATING answer).
	fast := func(o *kinesis.StreamExistsWaiterOptions) { o.MinDelay = time.Second }
	waitActive := func(what string) {
		check(kinesis.NewStreamExistsWaiter(c, fast).Wait(ctx, &kinesis.DescribeStreamInput{StreamName: stream}, waitMax), what)
	}

	_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: stream, ShardCount: aws.Int32(2)})
	check(err, "CreateStream")
	waitActive("StreamExistsWaiter")
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: stream})
	check(err, "DescribeStreamSummary")
	d := sum.StreamDescriptionSummary
	if d.StreamStatus != types.StreamStatusActive || aws.ToInt32(d.OpenShardCount) != 2 || d.StreamModeDetails == nil || d.StreamModeDetails.StreamMode != types.StreamModeProvisioned || aws.ToInt32(d.RetentionPeriodHours) != 24 {
		fail("summary %+v", d)
	}
	arn := d.StreamARN

	// Records: one PutRecord, ten by PutRecords; each shard reads back its own, in sequence order.
	byShard := map[string][]put{}
	pr, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: stream, PartitionKey: aws.String("a"), Data: []byte("hello go")})
	check(err, "PutRecord")
	byShard[*pr.ShardId] = append(byShard[*pr.ShardId], put{*pr.SequenceNumber, []byte("hello go")})
	entries := []types.PutRecordsRequestEntry{}
	for i := 0; i < 10; i++ {
		entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("k%d", i)), Data: []byte(fmt.Sprintf("r%d", i))})
	}
	prs, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: stream, Records: entries})
	check(err, "PutRecords")
	if aws.ToInt32(prs.FailedRecordCount) != 0 || len(prs.Records) != 10 {
		fail("PutRecords answer %+v", prs)
	}
	for i, r := range prs.Records {
		byShard[*r.ShardId] = append(byShard[*r.ShardId], put{*r.SequenceNumber, entries[i].Data})
	}
	ls, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: stream})
	check(err, "ListShards")
	if len(ls.Shards) != 2 {
		fail("%d shards", len(ls.Shards))
	}
	for _, s := range ls.Shards {
		it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: stream, ShardId: s.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		check(err, "GetShardIterator "+*s.ShardId)
		gr, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		check(err, "GetRecords "+*s.ShardId)
		want := byShard[*s.ShardId]
		if len(gr.Records) != len(want) || gr.NextShardIterator == nil || gr.MillisBehindLatest == nil {
			fail("%s: %d records of %d", *s.ShardId, len(gr.Records), len(want))
		}
		for i, r := range gr.Records {
			if *r.SequenceNumber != want[i].seq || !bytes.Equal(r.Data, want[i].data) || r.ApproximateArrivalTimestamp == nil || time.Since(*r.ApproximateArrivalTimestamp) > 5*time.Minute {
				fail("%s record %d: %+v", *s.ShardId, i, r)
			}
		}
	}

	// Errors, as typed errors and codes.
	_, err = c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name + "-nope"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeLatest})
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		fail("want ResourceNotFoundException, got %v", err)
	}
	fmt.Printf("ok   ResourceNotFoundException: %s\n", notFound.ErrorMessage())
	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: stream, ShardCount: aws.Int32(1)})
	var inUse *types.ResourceInUseException
	if !errors.As(err, &inUse) {
		fail("want ResourceInUseException, got %v", err)
	}
	fmt.Printf("ok   ResourceInUseException: %s\n", inUse.ErrorMessage())
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: stream, PartitionKey: aws.String("a"), Data: []byte("x"), ExplicitHashKey: aws.String("not a number")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" {
		fail("want ValidationException, got %v", err)
	}
	fmt.Printf("ok   ValidationException: %s\n", apiErr.ErrorMessage())

	_, err = c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: stream, Tags: map[string]string{"team": "go"}})
	check(err, "AddTagsToStream")
	tags, err := c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: stream})
	check(err, "ListTagsForStream")
	if len(tags.Tags) != 1 || *tags.Tags[0].Key != "team" || *tags.Tags[0].Value != "go" || aws.ToBool(tags.HasMoreTags) {
		fail("tags %+v", tags)
	}
	lim, err := c.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
	check(err, "DescribeLimits")
	if aws.ToInt32(lim.OpenShardCount) < 2 || aws.ToInt32(lim.ShardLimit) < aws.ToInt32(lim.OpenShardCount) {
		fail("limits %+v", lim)
	}
	_, err = c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: stream, RetentionPeriodHours: aws.Int32(48)})
	check(err, "IncreaseStreamRetentionPeriod")
	waitActive("ACTIVE after the retention change")
	mon, err := c.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: stream, ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingBytes}})
	check(err, "EnableEnhancedMonitoring")
	if len(mon.DesiredShardLevelMetrics) != 1 || mon.DesiredShardLevelMetrics[0] != types.MetricsNameIncomingBytes {
		fail("monitoring %+v", mon)
	}
	waitActive("ACTIVE after monitoring")

	// Enhanced fan-out: the SDK's SubscribeToShard returns once initial-response has come; then events.
	reg, err := c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String("go-v2")})
	check(err, "RegisterStreamConsumer")
	deadline := time.Now().Add(waitMax)
	for {
		dc, err := c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: reg.Consumer.ConsumerARN})
		if err != nil {
			fail("DescribeStreamConsumer: %v", err)
		}
		if dc.ConsumerDescription.ConsumerStatus == types.ConsumerStatusActive {
			break
		}
		if time.Now().After(deadline) {
			fail("consumer not ACTIVE")
		}
		time.Sleep(250 * time.Millisecond)
	}
	fmt.Println("ok   consumer ACTIVE")
	for _, s := range ls.Shards {
		want := byShard[*s.ShardId]
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		sub, err := c.SubscribeToShard(sctx, &kinesis.SubscribeToShardInput{ConsumerARN: reg.Consumer.ConsumerARN, ShardId: s.ShardId, StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}})
		check(err, "SubscribeToShard "+*s.ShardId)
		events := sub.GetStream()
		got := []types.Record{}
		for ev := range events.Events() {
			e, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
			if !ok {
				fail("event %T", ev)
			}
			if e.Value.MillisBehindLatest == nil || e.Value.ContinuationSequenceNumber == nil {
				fail("event without MillisBehindLatest or ContinuationSequenceNumber")
			}
			got = append(got, e.Value.Records...)
			if n := len(e.Value.Records); n > 0 && *e.Value.ContinuationSequenceNumber != *e.Value.Records[n-1].SequenceNumber {
				fail("continuation %s after %s", *e.Value.ContinuationSequenceNumber, *e.Value.Records[n-1].SequenceNumber)
			}
			if len(got) >= len(want) {
				break
			}
		}
		events.Close()
		cancel()
		seqs, data := []string{}, [][]byte{}
		for _, r := range got {
			seqs, data = append(seqs, *r.SequenceNumber), append(data, r.Data)
		}
		checkDelivered(*s.ShardId, seqs, data, want, events.Err())
	}

	_, err = c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: stream, ShardToSplit: ls.Shards[0].ShardId, NewStartingHashKey: aws.String("10")})
	check(err, "SplitShard")
	waitActive("ACTIVE after the split")
	ls2, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: stream, ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtLatest}})
	check(err, "ListShards AT_LATEST")
	if len(ls2.Shards) != 3 {
		fail("%d open shards after the split", len(ls2.Shards))
	}
	_, err = c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: stream})
	if !errors.As(err, &inUse) {
		fail("DeleteStream with a consumer: want ResourceInUseException, got %v", err)
	}
	fmt.Printf("ok   DeleteStream with a consumer: %s\n", inUse.ErrorMessage())
	_, err = c.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: reg.Consumer.ConsumerARN})
	check(err, "DeregisterStreamConsumer")
	_, err = c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: stream, EnforceConsumerDeletion: aws.Bool(true)})
	check(err, "DeleteStream")
	check(kinesis.NewStreamNotExistsWaiter(c, func(o *kinesis.StreamNotExistsWaiterOptions) { o.MinDelay = time.Second }).Wait(ctx, &kinesis.DescribeStreamInput{StreamName: stream}, waitMax), "StreamNotExistsWaiter")
}
