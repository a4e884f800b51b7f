// advanced_device.c
#include <linux/init.h>
#include <linux/module.h>
#include <linux/fs.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/uaccess.h>
#include <linux/slab.h>
#include <linux/mutex.h>

#define DEVICE_NAME "advanced_dev"
#define CLASS_NAME "advanced"
#define BUFFER_SIZE 1024

static int major_number;
static struct class *device_class = NULL;
static struct device *device_handle = NULL;
static struct cdev device_cdev;

// 디바이스 데이터 구조체
struct device_data {
    char buffer[BUFFER_SIZE];
    size_t buffer_size;
    struct mutex lock;
    int open_count;
};

static struct device_data *dev_data;

// 디바이스 열기
static int device_open(struct inode *inode, struct file *file) {
    // TODO 4: with dev_data->lock held (mutex_lock/mutex_unlock), count this open in
    //         dev_data->open_count and log "Device opened (count: N)" at KERN_INFO; when
    //         the file was opened with O_NONBLOCK (file->f_flags), also log "Non-blocking open".
    return 0;
}

// 디바이스 닫기
static int device_release(struct inode *inode, struct file *file) {
    // TODO 5: with the lock held, take the close off dev_data->open_count and log
    //         "Device closed (count: N)".
    return 0;
}

// 디바이스 읽기
static ssize_t device_read(struct file *file, char __user *user_buffer,
                          size_t count, loff_t *pos) {
    ssize_t bytes_read = 0;
    
    mutex_lock(&dev_data->lock);

    // TODO 6: the device holds dev_data->buffer_size bytes of data in dev_data->buffer.
    //   - At or past the end (*pos >= buffer_size): nothing to read, return 0.
    //   - Otherwise copy at most count bytes from buffer + *pos to the user with
    //     copy_to_user (-EFAULT when it fails), advance *pos, log
    //     "Read N bytes from device" at KERN_DEBUG and return N.
    // Leave through `out`, so that the lock is always released.

out:
    mutex_unlock(&dev_data->lock);
    return bytes_read;
}

// 디바이스 쓰기
static ssize_t device_write(struct file *file, const char __user *user_buffer,
                           size_t count, loff_t *pos) {
    ssize_t bytes_written = 0;
    
    mutex_lock(&dev_data->lock);

    // TODO 7: store what the user writes at *pos in dev_data->buffer (BUFFER_SIZE bytes).
    //   - At or past the end of the buffer: -ENOSPC (no space left on device).
    //   - Otherwise take at most the bytes that fit, with copy_from_user (-EFAULT when it
    //     fails), advance *pos, grow dev_data->buffer_size if *pos went past it, log
    //     "Written N bytes to device" at KERN_DEBUG and return N.

out:
    mutex_unlock(&dev_data->lock);
    return bytes_written;
}

// ioctl 처리
#define IOCTL_RESET    _IO('a', 1)
#define IOCTL_GET_SIZE _IOR('a', 2, int)
#define IOCTL_SET_SIZE _IOW('a', 3, int)

static long device_ioctl(struct file *file, unsigned int cmd, unsigned long arg) {
    int retval = 0;
    
    // TODO 8: one case per command, under the lock where dev_data is used:
    //   IOCTL_RESET:    empty the buffer (buffer_size 0, contents zeroed), log "Device buffer reset".
    //   IOCTL_GET_SIZE: put_user the buffer size into the int at arg (its result is yours).
    //   IOCTL_SET_SIZE: get_user an int from arg (-EFAULT if that fails); below 0 or above
    //                   BUFFER_SIZE is -EINVAL; else set buffer_size, log "Device buffer size set to N".
    //   anything else:  -ENOTTY, "this device has no such ioctl".
    (void)cmd;
    (void)arg;
    return retval;
}

// 파일 연산 구조체
static const struct file_operations device_fops = {
    .owner = THIS_MODULE,
    .open = device_open,
    .release = device_release,
    .read = device_read,
    .write = device_write,
    .unlocked_ioctl = device_ioctl,
};

// 모듈 초기화
static int __init advanced_init(void) {
    int ret;
    dev_t dev_num;
    
    printk(KERN_INFO "Advanced device module initializing\n");
    
    // 디바이스 데이터 할당
    dev_data = kzalloc(sizeof(struct device_data), GFP_KERNEL);
    if (!dev_data) {
        return -ENOMEM;
    }
    
    mutex_init(&dev_data->lock);
    
    // TODO 1: ask the kernel for a free major number: alloc_chrdev_region(&dev_num, 0, 1,
    //         DEVICE_NAME). On an error (< 0) log "Failed to allocate device numbers" at
    //         KERN_ERR and goto err_alloc. Keep the major in major_number (MAJOR(dev_num)).

    // TODO 2: connect the number to the driver: cdev_init(&device_cdev, &device_fops), set
    //         device_cdev.owner to THIS_MODULE, then cdev_add(&device_cdev, dev_num, 1).
    //         If cdev_add fails, log "Failed to add cdev" and goto err_cdev.

    // TODO 3: make /dev/advanced_dev appear: class_create(THIS_MODULE, CLASS_NAME) into
    //         device_class, then device_create(device_class, NULL, dev_num, NULL, DEVICE_NAME)
    //         into device_handle. Each returns an error pointer on failure: test it with
    //         IS_ERR, take the error with PTR_ERR, log it, and goto err_class / err_device.
    ret = -ENODEV;  // Init fails on purpose until TODO 1-3 are done: then delete
    goto err_alloc; // these two lines.
    
    printk(KERN_INFO "Advanced device module loaded (major: %d)\n", major_number);
    return 0;
    
err_device:
    class_destroy(device_class);
err_class:
    cdev_del(&device_cdev);
err_cdev:
    unregister_chrdev_region(MKDEV(major_number, 0), 1);
err_alloc:
    kfree(dev_data);
    return ret;
}

// 모듈 정리
static void __exit advanced_exit(void) {
    // TODO 9: undo advanced_init in the reverse order: device_destroy, class_destroy,
    //         cdev_del, unregister_chrdev_region (the error path at the end of advanced_init
    //         shows the order).

    if (dev_data) {
        mutex_destroy(&dev_data->lock);
        kfree(dev_data);
    }
    
    printk(KERN_INFO "Advanced device module unloaded\n");
}

module_init(advanced_init);
module_exit(advanced_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("Your Name");
MODULE_DESCRIPTION("Advanced character device driver");
MODULE_VERSION("1.0");
