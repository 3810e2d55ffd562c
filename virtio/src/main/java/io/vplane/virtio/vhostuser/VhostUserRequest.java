package io.vplane.virtio.vhostuser;

/**
 * Request codes of the frontend-to-backend channel (vhost-user.rst "Front-end message types")
 * and the protocol feature bits this backend knows.
 */
public final class VhostUserRequest
{
    public static final int GET_FEATURES = 1;
    public static final int SET_FEATURES = 2;
    public static final int SET_OWNER = 3;
    public static final int RESET_OWNER = 4;
    public static final int SET_MEM_TABLE = 5;
    public static final int SET_LOG_BASE = 6;
    public static final int SET_LOG_FD = 7;
    public static final int SET_VRING_NUM = 8;
    public static final int SET_VRING_ADDR = 9;
    public static final int SET_VRING_BASE = 10;
    public static final int GET_VRING_BASE = 11;
    public static final int SET_VRING_KICK = 12;
    public static final int SET_VRING_CALL = 13;
    public static final int SET_VRING_ERR = 14;
    public static final int GET_PROTOCOL_FEATURES = 15;
    public static final int SET_PROTOCOL_FEATURES = 16;
    public static final int GET_QUEUE_NUM = 17;
    public static final int SET_VRING_ENABLE = 18;
    public static final int SEND_RARP = 19;
    public static final int NET_SET_MTU = 20;
    public static final int SET_BACKEND_REQ_FD = 21;
    public static final int IOTLB_MSG = 22;
    public static final int SET_VRING_ENDIAN = 23;
    public static final int GET_CONFIG = 24;
    public static final int SET_CONFIG = 25;
    public static final int SET_STATUS = 39;
    public static final int GET_STATUS = 40;

    public static final int PROTOCOL_F_MQ = 0;
    public static final int PROTOCOL_F_REPLY_ACK = 3;
    public static final int PROTOCOL_F_CONFIG = 9;
    public static final int PROTOCOL_F_STATUS = 16;

    /** Feature bit 30 of GET_FEATURES: the backend speaks the protocol-feature handshake. */
    public static final int F_PROTOCOL_FEATURES = 30;
    /** Virtio feature bit VIRTIO_F_EVENT_IDX (virtio 1.2 §6): the rings carry used_event / avail_event. */
    public static final int F_RING_EVENT_IDX = 29;

    private static final String[] NAMES = new String[41];

    static
    {
        NAMES[GET_FEATURES] = "GET_FEATURES";
        NAMES[SET_FEATURES] = "SET_FEATURES";
        NAMES[SET_OWNER] = "SET_OWNER";
        NAMES[RESET_OWNER] = "RESET_OWNER";
        NAMES[SET_MEM_TABLE] = "SET_MEM_TABLE";
        NAMES[SET_LOG_BASE] = "SET_LOG_BASE";
        NAMES[SET_LOG_FD] = "SET_LOG_FD";
        NAMES[SET_VRING_NUM] = "SET_VRING_NUM";
        NAMES[SET_VRING_ADDR] = "SET_VRING_ADDR";
        NAMES[SET_VRING_BASE] = "SET_VRING_BASE";
        NAMES[GET_VRING_BASE] = "GET_VRING_BASE";
        NAMES[SET_VRING_KICK] = "SET_VRING_KICK";
        NAMES[SET_VRING_CALL] = "SET_VRING_CALL";
        NAMES[SET_VRING_ERR] = "SET_VRING_ERR";
        NAMES[GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES";
        NAMES[SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES";
        NAMES[GET_QUEUE_NUM] = "GET_QUEUE_NUM";
        NAMES[SET_VRING_ENABLE] = "SET_VRING_ENABLE";
        NAMES[SEND_RARP] = "SEND_RARP";
        NAMES[NET_SET_MTU] = "NET_SET_MTU";
        NAMES[SET_BACKEND_REQ_FD] = "SET_BACKEND_REQ_FD";
        NAMES[IOTLB_MSG] = "IOTLB_MSG";
        NAMES[SET_VRING_ENDIAN] = "SET_VRING_ENDIAN";
        NAMES[GET_CONFIG] = "GET_CONFIG";
        NAMES[SET_CONFIG] = "SET_CONFIG";
        NAMES[SET_STATUS] = "SET_STATUS";
        NAMES[GET_STATUS] = "GET_STATUS";
    }

    private VhostUserRequest()
    {
    }

    public static String name(final int request)
    {
        final String name = request >= 0 && request < NAMES.length ? NAMES[request] : null;
        return null == name ? "request " + request : name;
    }
}
