using VideoStreams.Producer.Upload;

namespace VideoStreams.Producer.Tests.Upload;

public sealed class AckErrorsTests
{
    [Theory]
    [InlineData(4001)] // MAX_FRAGMENT_SIZE_REACHED
    [InlineData(4002)] // MAX_FRAGMENT_DURATION_REACHED
    [InlineData(4004)] // FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS
    [InlineData(4006)] // INVALID_MKV_DATA
    [InlineData(4007)] // INVALID_PRODUCER_TIMESTAMP
    [InlineData(4009)] // FRAGMENT_METADATA_LIMIT_REACHED
    [InlineData(4010)] // TRACK_NUMBER_MISMATCH
    [InlineData(4011)] // FRAMES_MISSING_FOR_TRACK
    [InlineData(4012)] // MORE_THAN_ALLOWED_TRACKS_FOUND
    public void A_fragment_the_server_can_never_accept_is_skipped(int errorId) =>
        Assert.Equal(AckErrorAction.Skip, AckErrors.Classify(errorId));

    [Theory]
    [InlineData(4000)] // STREAM_READ_ERROR
    [InlineData(4003)] // MAX_CONNECTION_DURATION_REACHED
    [InlineData(4500)] // KMS
    [InlineData(4506)]
    [InlineData(5000)] // INTERNAL_ERROR
    [InlineData(5001)] // ARCHIVAL_ERROR
    [InlineData(4999)] // unknown
    [InlineData(null)]
    public void A_passing_server_problem_is_retried_with_a_new_session(int? errorId) =>
        Assert.Equal(AckErrorAction.Retry, AckErrors.Classify(errorId));

    [Theory]
    [InlineData(4008)] // STREAM_NOT_ACTIVE
    [InlineData(4507)] // STREAM_DELETED
    public void A_stream_that_refuses_data_stops_the_uploader(int errorId) =>
        Assert.Equal(AckErrorAction.Fatal, AckErrors.Classify(errorId));
}
