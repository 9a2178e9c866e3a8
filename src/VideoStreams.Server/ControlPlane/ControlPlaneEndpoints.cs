using VideoStreams.Server.Kvs;

namespace VideoStreams.Server.ControlPlane;

/// <summary>The KVS control-plane paths (KVS-API.md §2), all POST with JSON bodies.</summary>
internal static class ControlPlaneEndpoints
{
    public static IServiceCollection AddControlPlane(this IServiceCollection services) =>
        services.AddSingleton<ControlPlaneService>();

    public static IEndpointRouteBuilder MapControlPlane(this IEndpointRouteBuilder app)
    {
        var service = app.ServiceProvider.GetRequiredService<ControlPlaneService>();
        var json = ControlPlaneJson.Default;
        app.MapKvs("CreateStream", "/createStream", json.CreateStreamInput, (input, _) => service.CreateStream(input));
        app.MapKvs("DescribeStream", "/describeStream", json.StreamRefInput, (input, _) => service.DescribeStream(input));
        app.MapKvs("ListStreams", "/listStreams", json.ListStreamsInput, (input, _) => service.ListStreams(input));
        app.MapKvs("UpdateStream", "/updateStream", json.UpdateStreamInput, (input, _) => service.UpdateStream(input));
        app.MapKvs("UpdateDataRetention", "/updateDataRetention", json.UpdateDataRetentionInput, (input, _) => service.UpdateDataRetention(input));
        app.MapKvs("DeleteStream", "/deleteStream", json.DeleteStreamInput, (input, _) => service.DeleteStream(input));
        app.MapKvs("TagStream", "/tagStream", json.TagStreamInput, (input, _) => service.TagStream(input));
        app.MapKvs("UntagStream", "/untagStream", json.UntagStreamInput, (input, _) => service.UntagStream(input));
        app.MapKvs("ListTagsForStream", "/listTagsForStream", json.ListTagsForStreamInput, (input, _) => service.ListTagsForStream(input));
        // KVS spells these three with a capital letter; routing ignores case, so /tagResource works too.
        app.MapKvs("TagResource", "/TagResource", json.TagResourceInput, (input, _) => service.TagResource(input));
        app.MapKvs("UntagResource", "/UntagResource", json.UntagResourceInput, (input, _) => service.UntagResource(input));
        app.MapKvs("ListTagsForResource", "/ListTagsForResource", json.ListTagsForResourceInput, (input, _) => service.ListTagsForResource(input));
        app.MapKvs("GetDataEndpoint", "/getDataEndpoint", json.GetDataEndpointInput, (input, context) => service.GetDataEndpoint(input, context.Request));
        return app;
    }
}
