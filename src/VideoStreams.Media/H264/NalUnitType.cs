namespace VideoStreams.Media.H264;

/// <summary>H.264 <c>nal_unit_type</c> (ITU-T H.264 Table 7-1): the low five bits of a NAL unit's first byte.</summary>
public enum NalUnitType : byte
{
    /// <summary>Unspecified (0).</summary>
    Unspecified = 0,
    /// <summary>Coded slice of a non-IDR picture.</summary>
    Slice = 1,
    /// <summary>Coded slice data partition A.</summary>
    SliceDataPartitionA = 2,
    /// <summary>Coded slice data partition B.</summary>
    SliceDataPartitionB = 3,
    /// <summary>Coded slice data partition C.</summary>
    SliceDataPartitionC = 4,
    /// <summary>Coded slice of an IDR picture: a decoder can start here.</summary>
    Idr = 5,
    /// <summary>Supplemental enhancement information.</summary>
    Sei = 6,
    /// <summary>Sequence parameter set.</summary>
    Sps = 7,
    /// <summary>Picture parameter set.</summary>
    Pps = 8,
    /// <summary>Access unit delimiter.</summary>
    Aud = 9,
    /// <summary>End of sequence.</summary>
    EndOfSequence = 10,
    /// <summary>End of stream.</summary>
    EndOfStream = 11,
    /// <summary>Filler data.</summary>
    FillerData = 12,
    /// <summary>Sequence parameter set extension.</summary>
    SpsExtension = 13,
    /// <summary>Prefix NAL unit (SVC/MVC).</summary>
    Prefix = 14,
    /// <summary>Subset sequence parameter set (SVC/MVC).</summary>
    SubsetSps = 15,
    /// <summary>Depth parameter set (3D-AVC).</summary>
    DepthParameterSet = 16,
    /// <summary>Reserved (17).</summary>
    Reserved17 = 17,
    /// <summary>Reserved (18).</summary>
    Reserved18 = 18,
    /// <summary>Coded slice of an auxiliary coded picture without partitioning.</summary>
    AuxiliarySlice = 19,
    /// <summary>Coded slice extension (SVC/MVC).</summary>
    SliceExtension = 20,
    /// <summary>Coded slice extension for a depth view component (3D-AVC).</summary>
    SliceExtensionDepth = 21,
    /// <summary>Reserved (22).</summary>
    Reserved22 = 22,
    /// <summary>Reserved (23).</summary>
    Reserved23 = 23,
}
