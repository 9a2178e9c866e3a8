using VideoStreams.Producer.Sources;

namespace VideoStreams.Agent.Configuration;

/// <summary>
/// Checks, when the agent starts, what the device file points at on this machine: the video file and the camera
/// device must exist. Kept out of <see cref="DeviceValidator"/> so that the examples validate on machines without
/// a camera.
/// </summary>
internal static class DevicePreflight
{
    /// <summary>Checks the device against this machine and returns it with its credentials read.</summary>
    public static DeviceSettings Check(DeviceSettings device)
    {
        switch (device.Source.Type)
        {
            case VideoSourceType.File when !File.Exists(device.Source.Path):
                throw AgentException.Config(device.File, "source.path", $"no such file: {device.Source.Path}");
            case VideoSourceType.Camera:
                var path = CameraDevicePath(device.Source.Path!);
                if (OperatingSystem.IsLinux() && !File.Exists(path))
                {
                    throw AgentException.Config(device.File, "source.path", $"no camera at {path} (no such device; `v4l2-ctl --list-devices` lists the cameras)");
                }

                break;
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(device.File)) ?? Directory.GetCurrentDirectory();
        return device with { Credentials = CredentialsReference.Resolve(device.CredentialsReference, device.File, folder) };
    }

    /// <summary>The V4L2 device of a camera setting: a path as given, an index N as /dev/videoN.</summary>
    public static string CameraDevicePath(string path) => path.All(char.IsAsciiDigit) ? "/dev/video" + path : path;
}
